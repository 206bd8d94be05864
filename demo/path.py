"""Demo children's paths: two years of requests, proposals, placements, runaways and exits.

Written through the services, oldest first. The structure of the demo `partenaire` account gets a few
children present today, one arrival expected and one proposal to answer.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.clock import paris_now
from core.formatting import PARIS
from models.child import AuthorityBasis, ClosureReason, ExitReason, RefusalReason
from services.directory.reference_data import distance_km
from services.path.finder import placement_finder
from services.path.orientation import consent_record, proposal_answer, proposal_create
from services.path.placements import placement_arrival, placement_exit, placement_return, placement_runaway
from services.path.requests import RequestCreate, request_close, request_create

REQUESTS = 210
DAYS = 730
EXPLOITATION_PLACES = [
    ("93", 22),
    ("75", 14),
    ("13", 9),
    ("69", 7),
    ("59", 7),
    ("31", 4),
    ("33", 4),
    ("06", 4),
    ("34", 3),
    ("67", 3),
    ("44", 3),
    ("94", 4),
    ("95", 3),
    ("92", 2),
    ("971", 2),
    ("973", 2),
    ("976", 2),
    ("974", 1),
]
REQUESTERS = [
    ("police", 24),
    ("gendarmerie", 9),
    ("ase_crip", 20),
    ("pjj", 8),
    ("parquet", 12),
    ("association", 13),
    ("education_nationale", 4),
    ("hopital", 4),
    ("maraude", 5),
    ("autre", 1),
]
NATIONALITIES = [
    (None, 15),
    ("france", 25),
    ("ue", 12),
    ("europe_hors_ue", 6),
    ("afrique_nord", 14),
    ("afrique_subsaharienne", 20),
    ("moyen_orient", 3),
    ("asie", 3),
    ("ameriques", 2),
]
AGES = [(12, 3), (13, 7), (14, 14), (15, 22), (16, 28), (17, 26)]
EXITS = [
    (ExitReason.END_OF_CARE, 30),
    (ExitReason.REORIENTED, 20),
    (ExitReason.TURNED_18, 18),
    (ExitReason.FAMILY, 8),
    (ExitReason.ASE, 20),
    (ExitReason.OTHER, 4),
]
CLOSURES = [
    (ClosureReason.HANDLED_LOCALLY, 35),
    (ClosureReason.RUNAWAY, 25),
    (ClosureReason.WITHDRAWN, 15),
    (ClosureReason.NO_PLACE, 10),
    (ClosureReason.NOT_MINOR, 8),
    (ClosureReason.CHILD_REFUSED, 7),
]
REFUSALS = [
    (RefusalReason.NO_PLACE, 45),
    (RefusalReason.PROFILE, 25),
    (RefusalReason.SAFETY, 15),
    (RefusalReason.STAFF, 15),
]
AUTHORITIES = [
    (AuthorityBasis.JUDGE, 50),
    (AuthorityBasis.GUARDIAN, 30),
    (AuthorityBasis.PARENTAL, 12),
    (AuthorityBasis.NOT_OBTAINED, 8),
]


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


class _Path:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.now = paris_now()
        self.runaways: list[tuple[str, int, str, date]] = []  # children who left by running away

    def partner(self, structure_id: int):
        return self.ctx.partner_actor(structure_id)

    def forms(self) -> list[str]:
        rng = self.rng
        forms = ["sexuelle"] if rng.random() < 0.62 else []
        for code, p in (
            ("delits", 0.25),
            ("mendicite", 0.1),
            ("travail", 0.1),
            ("domestique", 0.07),
            ("mariage", 0.03),
        ):
            if rng.random() < p:
                forms.append(code)
        return forms or ["delits"]

    def request(self, received_at: datetime, **overrides):
        rng = self.rng
        exploitation = overrides.pop("exploitation", None) or _pick(rng, EXPLOITATION_PLACES)
        requester_dep = exploitation if rng.random() < 0.8 else _pick(rng, EXPLOITATION_PLACES)
        values = dict(
            received_at=received_at,
            child_age=_pick(rng, AGES),
            sex=_pick(rng, [("F", 64), ("M", 33), ("X", 3)]),
            nationality_group=_pick(rng, NATIONALITIES),
            requester_kind=_pick(rng, REQUESTERS),
            requester_departement_code=requester_dep,
            exploitation_forms=self.forms(),
            exploitation_departement_code=exploitation,
            risk_flags=[
                f
                for f, p in (
                    ("danger_immediat", 0.3),
                    ("sante_urgente", 0.15),
                    ("exploiteur_contact", 0.45),
                    ("fugues_anterieures", 0.3),
                )
                if rng.random() < p
            ],
        )
        if self.runaways and rng.random() < 0.12:
            code, age, sex, left = self.runaways[0]
            if received_at.date() > left + timedelta(days=15):
                self.runaways.pop(0)
                values.update(
                    existing_child_code=code, child_age=min(17, age + (received_at.date() - left).days // 365), sex=sex
                )
        values.update(overrides)
        return request_create(actor=self.ctx.actor, data=RequestCreate(**values), code_rng=rng)

    def later(self, moment: datetime, min_hours: int, max_hours: int) -> datetime:
        candidate = moment + timedelta(hours=self.rng.randint(min_hours, max_hours), minutes=self.rng.randint(0, 59))
        return min(candidate, self.now - timedelta(minutes=5))

    def choose(self, request, exclude: set[int], rows=None) -> int | None:
        rows = [
            r
            for r in (rows or placement_finder(actor=self.ctx.actor, request_id=request.id).rows)
            if r.structure_id not in exclude and r.can_propose
        ]
        if self.rng.random() < 0.07:  # sometimes the only place that takes the child in is too close
            best = [r for r in rows if r.tier == 3][:3] or [r for r in rows if r.tier == 1][:6]
        else:
            best = [r for r in rows if r.tier == 1][:6] or [r for r in rows if r.tier <= 3][:4]
        return self.rng.choice(best).structure_id if best else None

    def propose(self, request, structure_id: int, at: datetime):
        return proposal_create(actor=self.ctx.actor, request_id=request.id, structure_id=structure_id, at=at)

    def accept(self, proposal, at: datetime, *, consent: bool = True):
        proposal = proposal_answer(
            actor=self.partner(proposal.structure_id),
            proposal_id=proposal.id,
            expected_version=proposal.version,
            accepted=True,
            at=at,
        )
        if consent:
            authority = _pick(self.rng, AUTHORITIES)
            assent = self.rng.random() < 0.92
            proposal = consent_record(
                actor=self.ctx.actor,
                proposal_id=proposal.id,
                expected_version=proposal.version,
                assent_obtained=assent,
                assent_missing_reason=None
                if assent
                else "Enfant en état de choc, assentiment à recueillir à l'arrivée",
                authority_basis=authority.value,
                authority_missing_reason=(
                    "Parents à l'étranger, injoignables ; parquet avisé"
                    if authority == AuthorityBasis.NOT_OBTAINED
                    else None
                ),
                at=self.later(at, 1, 6),
            )
        return proposal

    def refuse(self, proposal, at: datetime):
        return proposal_answer(
            actor=self.partner(proposal.structure_id),
            proposal_id=proposal.id,
            expected_version=proposal.version,
            accepted=False,
            refusal_reason=_pick(self.rng, REFUSALS).value,
            at=at,
        )

    def stay(self, placement, request, *, keep_open: bool = False) -> None:
        """Runaways, returns and the exit of a placement, all before today."""
        rng, partner = self.rng, self.partner(placement.structure_id)
        arrival = placement.arrival_date
        horizon = (self.today - arrival).days
        length = (
            horizon + 1 if keep_open else rng.choice([rng.randint(3, 60), rng.randint(30, 240), rng.randint(90, 420)])
        )
        if rng.random() < 0.13 and horizon >= 2:
            ran_on = arrival + timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 28]))
            if ran_on <= self.today and (keep_open or (ran_on - arrival).days < length):
                placement = placement_runaway(
                    actor=partner, placement_id=placement.id, expected_version=placement.version, occurred_on=ran_on
                )
                back = ran_on + timedelta(days=rng.randint(1, 9))
                if rng.random() < 0.55 and back <= self.today:
                    placement = placement_return(
                        actor=partner, placement_id=placement.id, expected_version=placement.version, occurred_on=back
                    )
                elif not keep_open:
                    end = min(self.today, ran_on + timedelta(days=rng.randint(2, 10)))
                    placement_exit(
                        actor=partner,
                        placement_id=placement.id,
                        expected_version=placement.version,
                        end_date=end,
                        reason=ExitReason.RUNAWAY.value,
                        detail=None,
                    )
                    self.runaways.append((request.code, request.child_age, request.sex, end))
                    return
        end = arrival + timedelta(days=length)
        if keep_open or end > self.today:
            return
        if placement.events:
            end = max(end, placement.events[-1].occurred_on)
        if end > self.today:
            return
        reason = _pick(rng, EXITS)
        placement_exit(
            actor=partner,
            placement_id=placement.id,
            expected_version=placement.version,
            end_date=end,
            reason=reason.value,
            detail="Orientation vers un dispositif jeune majeur" if reason == ExitReason.OTHER else None,
        )

    def full_path(self, received_at: datetime) -> None:
        """A request that went all the way (or was closed), long enough ago for its story to be told."""
        rng = self.rng
        request = self.request(received_at)
        if rng.random() < 0.09:
            self._close(request, at=self.later(received_at, 2, 60))
            return
        tried: set[int] = set()
        moment = self.later(received_at, 1, 20)
        ranked = placement_finder(actor=self.ctx.actor, request_id=request.id).rows
        for attempt in range(3):
            structure_id = self.choose(request, tried, ranked)
            if structure_id is None:
                break
            tried.add(structure_id)
            proposal = self.propose(request, structure_id, moment)
            answer_at = self.later(moment, 1, 36)
            if attempt < 2 and rng.random() < 0.22:
                self.refuse(proposal, answer_at)
                moment = self.later(answer_at, 1, 12)
                continue
            proposal = self.accept(proposal, answer_at)
            arrival = min(self.today, (answer_at + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3]))).date())
            placement = placement_arrival(
                actor=self.partner(structure_id),
                proposal_id=proposal.id,
                expected_version=proposal.version,
                arrival_date=arrival,
            )
            self.stay(placement, request)
            return
        self._close(request, ClosureReason.NO_PLACE, at=self.later(moment, 2, 24))

    def _close(self, request, reason: ClosureReason | None = None, *, at: datetime) -> None:
        from services.path.requests import request_board

        current = next(
            r for r in request_board(actor=self.ctx.actor, code=request.code, limit=10).rows if r.id == request.id
        )
        reason = reason or _pick(self.rng, CLOSURES)
        request_close(
            actor=self.ctx.actor, request_id=request.id, expected_version=current.version, reason=reason.value, at=at
        )

    def partner_children(self) -> None:
        """Children present today in the demo partner's structure, one arrival expected, one proposal to answer."""
        ctx, rng = self.ctx, self.rng
        structure = next(s for s in ctx.structures if s.id == ctx.partner_structure_id)
        far = [
            code
            for code, _ in EXPLOITATION_PLACES
            if distance_km(code, structure.departement_code) >= 250 and not code.startswith("97")
        ] or ["93"]
        forms = [f for f in structure.exploitation_forms if f != "autre"] or ["sexuelle"]
        sexes = [s for s in structure.sexes if s != "X"] or ["F"]
        present = max(1, min(4, structure.capacity - 2))

        def profile():
            return dict(
                child_age=rng.randint(max(structure.age_min, 13), structure.age_max),
                sex=rng.choice(sexes),
                exploitation_forms=sorted(rng.sample(forms, min(len(forms), rng.randint(1, 2)))),
                exploitation=rng.choice(far),
                existing_child_code=None,
            )

        for index in range(present):
            days_ago = 5 if index == present - 1 else rng.randint(12, 150)  # the last one arrived a few days ago
            received = _at(self.today - timedelta(days=days_ago), rng.randint(8, 12))
            request = self.request(received, **profile())
            proposal = self.propose(request, structure.id, self.later(received, 1, 6))
            answer = self.later(proposal.proposed_at, 1, 20)
            proposal = self.accept(proposal, answer)
            arrival = (answer + timedelta(days=1)).date()
            placement = placement_arrival(
                actor=self.partner(structure.id),
                proposal_id=proposal.id,
                expected_version=proposal.version,
                arrival_date=arrival,
            )
            if index == 0:
                placement = placement_runaway(
                    actor=self.partner(structure.id),
                    placement_id=placement.id,
                    expected_version=placement.version,
                    occurred_on=arrival + timedelta(days=4),
                )
                placement_return(
                    actor=self.partner(structure.id),
                    placement_id=placement.id,
                    expected_version=placement.version,
                    occurred_on=arrival + timedelta(days=6),
                )
        expected = self.request(_at(self.today - timedelta(days=2), 10, 40), **profile())
        proposal = self.propose(expected, structure.id, _at(self.today - timedelta(days=2), 11, 15))
        self.accept(proposal, _at(self.today - timedelta(days=1), 9, 30), consent=False)
        pending = self.request(self.now - timedelta(hours=6), **profile())
        self.propose(pending, structure.id, self.now - timedelta(hours=5))

    def recent(self) -> None:
        """Requests of the last days, at every stage: new, in orientation, oriented awaiting arrival."""
        rng = self.rng
        for hours in (3, 9, 20, 31):
            self.request(self.now - timedelta(hours=hours))
        for hours in (28, 52, 75):
            request = self.request(self.now - timedelta(hours=hours))
            structure_id = self.choose(request, set())
            if structure_id is not None:
                proposal = self.propose(request, structure_id, self.now - timedelta(hours=hours - 2))
                if hours > 60:
                    self.refuse(proposal, self.now - timedelta(hours=hours - 20))
                    other = self.choose(request, {structure_id})
                    if other is not None:
                        self.propose(request, other, self.now - timedelta(hours=hours - 22))
        for hours in (80, 110):
            request = self.request(self.now - timedelta(hours=hours))
            structure_id = self.choose(request, {self.ctx.partner_structure_id})
            if structure_id is not None:
                proposal = self.propose(request, structure_id, self.now - timedelta(hours=hours - 3))
                self.accept(proposal, self.now - timedelta(hours=hours - 20), consent=rng.random() < 0.5)


def generate(ctx) -> None:
    path = _Path(ctx)
    rng = ctx.rng
    start = ctx.today - timedelta(days=DAYS)
    days = sorted(rng.randint(0, DAYS - 8) for _ in range(REQUESTS))
    for offset in days:
        day = start + timedelta(days=offset)
        path.full_path(_at(day, rng.randint(0, 23), rng.randint(0, 59)))
    path.partner_children()
    path.recent()
