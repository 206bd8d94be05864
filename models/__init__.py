"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one."""

from models.audit import AuditEntry
from models.child import Child, Placement
from models.convention import Convention
from models.referential import Departement, Region
from models.setting import AppSetting
from models.standard import StandardAssessment, StandardCriterion
from models.structure import Structure, StructureStatusChange
from models.user import Role, User

__all__ = [
    "AppSetting", "AuditEntry", "Child", "Convention", "Departement", "Placement", "Region", "Role",
    "StandardAssessment", "StandardCriterion", "Structure", "StructureStatusChange", "User",
]
