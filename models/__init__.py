"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one."""

from models.audit import AuditEntry
from models.child import Child, ChildAccess, ChildRequest, OrientationProposal, Placement, PlacementEvent
from models.referential import Departement, Region
from models.setting import AppSetting
from models.structure import Structure
from models.training import (
    TrainingAttendance, TrainingModule, TrainingParticipants, TrainingPlanLine, TrainingPrerequisite, TrainingSession,
)
from models.user import Role, User

__all__ = ["AppSetting", "AuditEntry", "Child", "ChildAccess", "ChildRequest", "OrientationProposal", "Placement",
           "PlacementEvent", "Departement", "Region", "Role", "Structure", "TrainingAttendance", "TrainingModule",
           "TrainingParticipants", "TrainingPlanLine", "TrainingPrerequisite", "TrainingSession", "User"]
