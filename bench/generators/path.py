"""Bulk children's paths: 1,000 requests a year per scale unit over five years (5,000 per unit), with
their proposals, about 3,000 placements per unit, runaways, returns and exits.

The demo's vocabulary and proportions (demo/path.py), written as the services would have: requests
oldest first, a structure chosen far enough from where the child was exploited and matching its
profile, with a free place counted from the placements already open; a child who ran away may come
back in a later request under the same code. The last days' requests are still at every open stage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from core.formatting import PARIS
from demo.path import (
    AGES,
    AUTHORITIES,
    CLOSURES,
    EXITS,
    EXPLOITATION_PLACES,
    NATIONALITIES,
    REFUSALS,
    REQUESTERS,
    _pick,
)
from models.base import utcnow
from models.child import (
    Child,
    ChildRequest,
    ClosureReason,
    ExitReason,
    OrientationProposal,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    ProposalStatus,
    RequestStatus,
)
from models.structure import NetworkStatus
from services.directory.reference_data import distance_km
from services.path.requests import CODE_ALPHABET, CODE_LENGTH, CODE_PREFIX

PER_YEAR = 1000
YEARS = 5
CLOSED_EARLY = 0.38  # closed before any placement: handled locally, ran away, withdrawn… (≈ 3,000 placements a unit)
RECENT_DAYS = 5
MIN_DISTANCE = 200
COORDINATION = "coordination"
STAFF = "equipe"


class _Path:
    def __init__(self, ctx):
        self.ctx, self.rng = ctx, ctx.rng
        self.now = utcnow() - timedelta(minutes=5)
        self.today = ctx.today
        self.codes: set[str] = set()
        self.children: list[dict] = []
        self.requests: list[dict] = []
        self.proposals: list[dict] = []
        self.placements: list[dict] = []
        self.events: list[dict] = []
        self.runaways: list[tuple[dict, date]] = []  # (child, left on) of the children who ran away for good
        self.occupancy: dict[int, list[date]] = {}  # structure → end dates of its placements (date.max: open)
        self.ids = {
            name: ctx.next_id(table.__table__)
            for name, table in (
                ("child", Child),
                ("request", ChildRequest),
                ("proposal", OrientationProposal),
                ("placement", Placement),
            )
        }
        active = [s for s in ctx.structures if s["status"] == NetworkStatus.ACTIVE.value]
        self.near: dict[str, list[dict]] = {}
        self.far: dict[str, list[dict]] = {}
        for code in {code for code, _ in EXPLOITATION_PLACES}:
            for structure in active:
                distance = distance_km(code, structure["departement_code"])
                side = self.far if distance >= MIN_DISTANCE else self.near
                side.setdefault(code, []).append({**structure, "distance": round(distance, 1)})

    # --- records -------------------------------------------------------------------------------

    def _id(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] += 1
        return value

    def _code(self, year: int) -> str:
        while True:
            code = f"{CODE_PREFIX}-{year}-" + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _forms(self) -> list[str]:
        rng = self.rng
        forms = ["sexuelle"] if rng.random() < 0.62 else []
        forms += [
            code
            for code, p in (
                ("delits", 0.25),
                ("mendicite", 0.1),
                ("travail", 0.1),
                ("domestique", 0.07),
                ("mariage", 0.03),
            )
            if rng.random() < p
        ]
        return sorted(forms or ["delits"])

    def request(self, received_at: datetime) -> dict:
        rng = self.rng
        exploitation = _pick(rng, EXPLOITATION_PLACES)
        received_on = received_at.astimezone(PARIS).date()
        age = _pick(rng, AGES)
        child = None
        if self.runaways and rng.random() < 0.12 and received_on > self.runaways[0][1] + timedelta(days=15):
            child, left = self.runaways.pop(0)
            age = min(17, child["age"] + (received_on - left).days // 365)
            child["age"] = age
        if child is None:
            child = {
                "id": self._id("child"),
                "code": self._code(received_at.astimezone(PARIS).year),
                "age": age,
                "sex": _pick(rng, [("F", 64), ("M", 33), ("X", 3)]),
                "nationality_group": _pick(rng, NATIONALITIES),
                "created_at": received_at,
            }
            self.children.append(child)
        row = {
            "id": self._id("request"),
            "version": 1,
            "child_id": child["id"],
            "received_at": received_at,
            "received_on": received_on,
            "child_age": age,
            "requester_kind": _pick(rng, REQUESTERS),
            "requester_departement_code": exploitation if rng.random() < 0.8 else _pick(rng, EXPLOITATION_PLACES),
            "exploitation_forms": self._forms(),
            "exploitation_departement_code": exploitation,
            "risk_flags": [
                f
                for f, p in (
                    ("danger_immediat", 0.3),
                    ("sante_urgente", 0.15),
                    ("exploiteur_contact", 0.45),
                    ("fugues_anterieures", 0.3),
                )
                if rng.random() < p
            ],
            "status": RequestStatus.NEW.value,
            "oriented_at": None,
            "oriented_on": None,
            "closed_at": None,
            "closure_reason": None,
            "closure_detail": None,
            "created_by": COORDINATION,
            "created_at": received_at,
            "_child": child,
        }
        self.requests.append(row)
        return row

    def later(self, moment: datetime, min_hours: float, max_hours: float) -> datetime:
        return min(moment + timedelta(hours=self.rng.uniform(min_hours, max_hours)), self.now)

    def choose(self, request: dict, exclude: set[int], day: date) -> dict | None:
        """A structure active since before `day`, matching the child, with a free place that day."""
        rng, child = self.rng, request["_child"]
        pool = (self.near if rng.random() < 0.07 else self.far).get(request["exploitation_departement_code"]) or []
        for _ in range(25):
            if not pool:
                return None
            structure = rng.choice(pool)
            if (
                structure["id"] in exclude
                or child["sex"] not in structure["sexes"]
                or not structure["age_min"] <= request["child_age"] <= structure["age_max"]
                or (structure["joined_on"] or day) > day
            ):
                continue
            ends = [end for end in self.occupancy.get(structure["id"], []) if end >= day]
            self.occupancy[structure["id"]] = ends
            if len(ends) < structure["capacity"]:
                return structure
        return None

    def propose(self, request: dict, structure: dict, at: datetime, status: str, answered_at: datetime | None) -> dict:
        row = {
            "id": self._id("proposal"),
            "version": 1,
            "request_id": request["id"],
            "structure_id": structure["id"],
            "status": status,
            "distance_km": structure["distance"],
            "finder_note": None,
            "proposed_at": at,
            "proposed_by": COORDINATION,
            "answered_at": answered_at,
            "answered_by": STAFF if status in (ProposalStatus.ACCEPTED.value, ProposalStatus.REFUSED.value) else None,
            "refusal_reason": _pick(self.rng, REFUSALS).value if status == ProposalStatus.REFUSED.value else None,
            "answer_detail": None,
            "assent_obtained": None,
            "assent_missing_reason": None,
            "authority_basis": None,
            "authority_missing_reason": None,
            "consent_recorded_at": None,
            "consent_recorded_by": None,
        }
        self.proposals.append(row)
        if status in (ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value):
            request["status"] = RequestStatus.IN_PROGRESS.value
        return row

    def consent(self, proposal: dict) -> None:
        rng = self.rng
        authority = _pick(rng, AUTHORITIES)
        assent = rng.random() < 0.92
        proposal.update(
            assent_obtained=assent,
            assent_missing_reason=None if assent else "Enfant en état de choc, assentiment à recueillir à l'arrivée",
            authority_basis=authority.value,
            authority_missing_reason="Parents à l'étranger, injoignables ; parquet avisé"
            if authority.value == "non_obtenu"
            else None,
            consent_recorded_at=self.later(proposal["answered_at"], 1, 6),
            consent_recorded_by=COORDINATION,
        )

    def orient(self, request: dict, proposal: dict) -> None:
        request.update(
            status=RequestStatus.ORIENTED.value,
            oriented_at=proposal["answered_at"],
            oriented_on=proposal["answered_at"].astimezone(PARIS).date(),
        )

    def close(self, request: dict, reason: ClosureReason, at: datetime) -> None:
        request.update(
            status=RequestStatus.CLOSED.value,
            closure_reason=reason.value,
            closed_at=at,
            oriented_at=None,
            oriented_on=None,
        )

    def place(self, request: dict, proposal: dict, structure: dict, arrival: date) -> None:
        rng, child = self.rng, request["_child"]
        request["status"] = RequestStatus.PLACED.value
        horizon = (self.today - arrival).days
        length = rng.choice([rng.randint(3, 60), rng.randint(30, 240), rng.randint(90, 420)])
        placement = {
            "id": self._id("placement"),
            "version": 1,
            "child_id": child["id"],
            "structure_id": structure["id"],
            "arrival_date": arrival,
            "end_date": None,
            "exit_reason": None,
            "exit_detail": None,
            "created_at": datetime.combine(arrival, time(12), UTC),
            "request_id": request["id"],
            "distance_km": proposal["distance_km"],
            "recorded_by": STAFF,
            "on_runaway": False,
        }
        end = arrival + timedelta(days=length)
        reason = _pick(rng, EXITS)
        if rng.random() < 0.13 and horizon >= 2:
            ran_on = arrival + timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 28]))
            if ran_on <= self.today and (ran_on - arrival).days < length:
                self._event(placement, PlacementEventKind.RUNAWAY, ran_on)
                back = ran_on + timedelta(days=rng.randint(1, 9))
                if rng.random() < 0.55 and back <= self.today:
                    self._event(placement, PlacementEventKind.RETURN, back)
                    end = max(end, back)
                else:
                    end, reason = min(self.today, ran_on + timedelta(days=rng.randint(2, 10))), ExitReason.RUNAWAY
                    if end >= self.today:
                        end = None  # still away, the placement stays open
        if end is not None and end < self.today:
            placement.update(
                end_date=end,
                exit_reason=reason.value,
                exit_detail="Orientation vers un dispositif jeune majeur" if reason == ExitReason.OTHER else None,
            )
            if reason == ExitReason.RUNAWAY:
                self.runaways.append((child, end))
        self.occupancy.setdefault(structure["id"], []).append(placement["end_date"] or date.max)
        self.placements.append(placement)

    def _event(self, placement: dict, kind: PlacementEventKind, day: date) -> None:
        self.events.append(
            {
                "placement_id": placement["id"],
                "kind": kind.value,
                "occurred_on": day,
                "recorded_at": datetime.combine(day, time(18), UTC),
                "recorded_by": STAFF,
            }
        )
        placement["on_runaway"] = kind == PlacementEventKind.RUNAWAY

    # --- stories -------------------------------------------------------------------------------

    def full_path(self, received_at: datetime) -> None:
        rng = self.rng
        request = self.request(received_at)
        if rng.random() < CLOSED_EARLY:
            self.close(request, _pick(rng, CLOSURES), self.later(received_at, 2, 60))
            return
        tried: set[int] = set()
        moment = self.later(received_at, 1, 20)
        for attempt in range(3):
            structure = self.choose(request, tried, moment.astimezone(PARIS).date())
            if structure is None:
                break
            tried.add(structure["id"])
            answer_at = self.later(moment, 1, 36)
            if attempt < 2 and rng.random() < 0.22:
                self.propose(request, structure, moment, ProposalStatus.REFUSED.value, answer_at)
                moment = self.later(answer_at, 1, 12)
                continue
            proposal = self.propose(request, structure, moment, ProposalStatus.ACCEPTED.value, answer_at)
            self.consent(proposal)
            self.orient(request, proposal)
            arrival = min(
                self.today, (answer_at + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3]))).astimezone(PARIS).date()
            )
            self.place(request, proposal, structure, arrival)
            return
        self.close(request, ClosureReason.NO_PLACE, self.later(moment, 2, 24))

    def open_path(self, received_at: datetime) -> None:
        """A request of the last days: new, in orientation, oriented awaiting arrival, or just arrived."""
        rng = self.rng
        request = self.request(received_at)
        stage = rng.choices(["new", "pending", "oriented", "placed"], [25, 35, 25, 15])[0]
        if stage == "new":
            return
        moment = self.later(received_at, 1, 6)
        structure = self.choose(request, set(), moment.astimezone(PARIS).date())
        if structure is None:
            return
        if stage == "pending":
            self.propose(request, structure, moment, ProposalStatus.PENDING.value, None)
            return
        proposal = self.propose(request, structure, moment, ProposalStatus.ACCEPTED.value, self.later(moment, 1, 20))
        if stage == "placed" or rng.random() < 0.5:
            self.consent(proposal)
        self.orient(request, proposal)
        if stage == "placed" and proposal["consent_recorded_at"] is not None:
            self.place(request, proposal, structure, min(self.today, proposal["answered_at"].astimezone(PARIS).date()))


def generate(ctx) -> None:
    path, rng = _Path(ctx), ctx.rng
    days = YEARS * 365
    start = ctx.today - timedelta(days=days)
    moments = sorted(
        datetime.combine(
            start + timedelta(days=rng.randint(0, days)), time(rng.randint(0, 23), rng.randint(0, 59)), PARIS
        )
        for _ in range(PER_YEAR * YEARS * ctx.scale)
    )
    recent = path.now - timedelta(days=RECENT_DAYS)
    for moment in moments:
        received_at = min(moment.astimezone(UTC), path.now - timedelta(hours=1))
        if received_at >= recent:
            path.open_path(received_at)
        else:
            path.full_path(received_at)
    ctx.insert(Child.__table__, [{k: v for k, v in c.items() if not k.startswith("_")} for c in path.children])
    ctx.insert(ChildRequest.__table__, [{k: v for k, v in r.items() if not k.startswith("_")} for r in path.requests])
    ctx.insert(OrientationProposal.__table__, path.proposals)
    ctx.insert(Placement.__table__, path.placements)
    ctx.insert(PlacementEvent.__table__, path.events)
    for table in (Child, ChildRequest, OrientationProposal, Placement):
        ctx.sync_sequence(table.__table__)
