"""SQLAlchemy models, one module per area; importing this package registers them all."""

from cxculture.models.api_tokens import ApiToken
from cxculture.models.audit import AuditEvent
from cxculture.models.base import Base, utcnow
from cxculture.models.mail import OutboxMessage
from cxculture.models.org import Department, Role, User, department_heads
from cxculture.models.plans import FocusPlan, PlanAction
from cxculture.models.roster import RosterImport
from cxculture.models.sessions import UserSession
from cxculture.models.surveys import (
    Answer,
    Instrument,
    InstrumentItem,
    Invitation,
    PrivacyMode,
    ReleasedDrivers,
    ReleasedGroup,
    Response,
    ResultSnapshot,
    RevokedPass,
    Survey,
    SurveyState,
    survey_departments,
)
from cxculture.models.training import (
    Enrolment,
    Module,
    ModuleText,
    RuleApplication,
    TrainingRule,
)

__all__ = [
    "Answer",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Department",
    "Enrolment",
    "FocusPlan",
    "Instrument",
    "InstrumentItem",
    "Module",
    "ModuleText",
    "Invitation",
    "OutboxMessage",
    "PlanAction",
    "PrivacyMode",
    "ReleasedDrivers",
    "ReleasedGroup",
    "Response",
    "ResultSnapshot",
    "RevokedPass",
    "Role",
    "RosterImport",
    "RuleApplication",
    "Survey",
    "SurveyState",
    "TrainingRule",
    "User",
    "UserSession",
    "department_heads",
    "survey_departments",
    "utcnow",
]
