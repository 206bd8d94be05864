"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one."""

from models.audit import AuditEntry
from models.child import Child, Placement
from models.referential import Departement, Region
from models.setting import AppSetting
from models.signalement import Signalement, SignalementEvent
from models.structure import Structure
from models.training import (
    TrainingAttendance, TrainingModule, TrainingParticipants, TrainingPlanLine, TrainingPrerequisite, TrainingSession,
)
from models.user import Role, User

__all__ = ["AppSetting", "AuditEntry", "Child", "Placement", "Departement", "Region", "Role", "Signalement",
           "SignalementEvent", "Structure", "TrainingAttendance", "TrainingModule", "TrainingParticipants",
           "TrainingPlanLine", "TrainingPrerequisite", "TrainingSession", "User"]
