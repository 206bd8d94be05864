"""The one sequence every versioned edit follows: get → not found → stale version → faults → apply."""

from __future__ import annotations

import pytest

from core.access import SYSTEM
from core.concurrency import get_versioned, set_changed, versioned_update
from core.db import session_scope
from core.errors import ConcurrentEdit, FieldError, NotFound, ValidationFailed
from models.structure import Structure, StructureUpdate
from services.directory.structure_rules import LABELS
from services.directory.structures import structure_get, structure_update
from tests.factories import make_structure

GONE = "Fiche introuvable."


def _never(_row):
    raise AssertionError("must not be called")


def _update(structure_id: int, expected_version: int | None, *, check=lambda row: [], apply=None, seen=None):
    with session_scope(SYSTEM) as session:
        return versioned_update(
            session,
            Structure,
            structure_id,
            expected_version=expected_version,
            not_found=GONE,
            seen=seen,
            labels=LABELS,
            check=check,
            apply=apply or (lambda row: set_changed(session, row, {"capacity": 12})),
        )


def test_an_unknown_row_is_not_found_before_anything_is_checked(db):
    with pytest.raises(NotFound) as refused:
        _update(999_999, 1, check=_never, apply=_never)
    assert str(refused.value) == GONE


def test_a_stale_version_names_the_fields_changed_since_the_form_was_opened(db):
    structure = make_structure(capacity=10, commune="Rennes")
    structure_update(
        actor=SYSTEM,
        structure_id=structure.id,
        expected_version=structure.version,
        changes=StructureUpdate(capacity=15),
    )
    seen = {"capacity": 10, "commune": "Rennes"}  # what the first form showed; only the capacity moved
    with pytest.raises(ConcurrentEdit) as refused:
        _update(structure.id, structure.version, seen=seen, check=_never, apply=_never)
    assert [(c.field, c.mine, c.theirs) for c in refused.value.changes] == [(LABELS["capacity"], 10, 15)]
    assert str(refused.value).endswith(f"Champs modifiés : {LABELS['capacity']}.")
    assert structure_get(actor=SYSTEM, structure_id=structure.id).capacity == 15


def test_a_stale_version_without_the_values_seen_is_still_refused(db):
    structure = make_structure()
    structure_update(
        actor=SYSTEM, structure_id=structure.id, expected_version=None, changes=StructureUpdate(capacity=3)
    )
    with pytest.raises(ConcurrentEdit) as refused:
        _update(structure.id, structure.version, check=_never, apply=_never)
    assert refused.value.changes == [] and "Champs modifiés" not in str(refused.value)


def test_faults_refuse_the_whole_edit_and_nothing_is_applied(db):
    structure = make_structure(capacity=10)
    faults = [FieldError("Places", "trop"), FieldError("Commune", "vide")]
    with pytest.raises(ValidationFailed) as refused:
        _update(structure.id, structure.version, check=lambda row: faults, apply=_never)
    assert refused.value.errors == faults
    after = structure_get(actor=SYSTEM, structure_id=structure.id)
    assert (after.capacity, after.version) == (10, structure.version)


def test_a_current_version_is_checked_then_applied_and_moves_on(db):
    structure = make_structure(capacity=10)
    checked = []
    _update(structure.id, structure.version, check=lambda row: checked.append(row.capacity) or [])
    assert checked == [10]
    after = structure_get(actor=SYSTEM, structure_id=structure.id)
    assert after.capacity == 12 and after.version > structure.version


def test_no_expected_version_skips_the_version_check(db):
    structure = make_structure()
    structure_update(
        actor=SYSTEM, structure_id=structure.id, expected_version=None, changes=StructureUpdate(capacity=3)
    )
    _update(structure.id, None)
    assert structure_get(actor=SYSTEM, structure_id=structure.id).capacity == 12


def test_set_changed_leaves_an_unchanged_row_and_its_version_alone(db):
    structure = make_structure(capacity=12)
    with session_scope(SYSTEM) as session:
        row = get_versioned(session, Structure, structure.id, expected_version=structure.version, not_found=GONE)
        stamped = row.updated_at
        assert set_changed(session, row, {"capacity": 12, "commune": row.commune}) is False
        assert row.updated_at == stamped
    assert structure_get(actor=SYSTEM, structure_id=structure.id).version == structure.version
    with session_scope(SYSTEM) as session:
        row = get_versioned(session, Structure, structure.id, expected_version=structure.version, not_found=GONE)
        assert set_changed(session, row, {"capacity": 13}) is True
        assert row.updated_at != stamped
    assert structure_get(actor=SYSTEM, structure_id=structure.id).version > structure.version
