"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one.

One line per module: features add theirs without touching the others'.
"""

from models.annual_report import AnnualReportSection  # noqa: F401
from models.audit import AuditEntry  # noqa: F401
from models.child import Child, ChildAccess, ChildRequest, OrientationProposal, Placement, PlacementEvent  # noqa: F401
from models.convention import Convention  # noqa: F401
from models.data_version import DataVersion  # noqa: F401
from models.login_throttle import LoginThrottle  # noqa: F401
from models.notification import Notification, NotificationPreference, RegionPlaceThreshold  # noqa: F401
from models.outreach import (  # noqa: F401
    OutreachPlatform,
    OutreachReferral,
    OutreachSession,
    PreventionAction,
    ReferrerAccount,
    ReferrerRequest,
    ReferrerService,
    SupervisionSession,
)
from models.referential import Departement, Region  # noqa: F401
from models.setting import AppSetting  # noqa: F401
from models.signalement import Signalement, SignalementEvent  # noqa: F401
from models.standard import StandardAssessment, StandardCriterion  # noqa: F401
from models.structure import Structure, StructureStatusChange  # noqa: F401
from models.summary import RequestMonthCount, SignalementMonthCount  # noqa: F401
from models.training import (  # noqa: F401  # noqa: F401
    TrainingAttendance,
    TrainingModule,
    TrainingParticipants,
    TrainingPlanLine,
    TrainingPrerequisite,
    TrainingSession,
)
from models.user import Role, User  # noqa: F401
from models.weekly import WeeklyElement, WeeklyReport, WeeklyTotal, WeeklyValue  # noqa: F401
