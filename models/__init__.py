"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one."""

from models.audit import AuditEntry
from models.child import Child, Placement
from models.referential import Departement, Region
from models.setting import AppSetting
from models.structure import Structure
from models.user import Role, User
from models.weekly import WeeklyElement, WeeklyReport, WeeklyValue

__all__ = ["AppSetting", "AuditEntry", "Child", "Placement", "Departement", "Region", "Role", "Structure", "User",
           "WeeklyElement", "WeeklyReport", "WeeklyValue"]
