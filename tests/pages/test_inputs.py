"""Form values become service inputs through validation, with French errors (ui.inputs)."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from models.standard import CriterionCreate
from models.structure import StructureCreate
from services.directory.standards import CRITERION_LABELS
from services.directory.structure_rules import LABELS
from ui.inputs import REQUIRED, validated


def _refusal(model, values, labels) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validated(model, values, labels=labels)
    return [str(e) for e in caught.value.errors]


def test_valid_values_give_the_model():
    data = validated(CriterionCreate, {"label": "Encadrement", "category": "care", "position": 3}, labels={})
    assert isinstance(data, CriterionCreate) and data.position == 3 and data.label == "Encadrement"


def test_a_missing_choice_is_named_in_french():
    values = {"name": "Maison", "kind": "mecs", "departement_code": None, "commune": "Mende", "capacity": 4}
    assert _refusal(StructureCreate, values, LABELS) == [f"Département : {REQUIRED}"]


def test_lengths_and_bounds_are_said_in_french_with_french_numbers():
    faults = _refusal(
        CriterionCreate, {"label": "x" * 161, "description": "y" * 1001, "position": "deux"}, CRITERION_LABELS
    )
    assert faults == [
        "Intitulé : 160 caractères au plus",
        "Description : 1 000 caractères au plus",
        "Ordre : nombre entier attendu",
    ]
    ages = {"name": "M", "kind": "mecs", "departement_code": "48", "commune": "Mende", "capacity": -1, "age_max": 18}
    assert _refusal(StructureCreate, ages, LABELS) == ["Places : 0 au moins", "Âge maximum : 17 au plus"]
