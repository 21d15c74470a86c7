from strategy.models.actions import Action
from strategy.models.decisions import (
    AgencyPosition,
    ChildDecision,
    DifferenceAbout,
    DifferenceStage,
    Outcome,
    Position,
    ProfessionalDifference,
)
from strategy.models.discussion import (
    ConcernCategory,
    Discussion,
    DiscussionFormat,
    Urgency,
)
from strategy.models.drafts import FormDraft
from strategy.models.invitees import Attendance, InvitationException, Invitee
from strategy.models.people import Adult, Child, Relationship
from strategy.models.transfers import CaseTransfer

__all__ = [
    "Action",
    "Adult",
    "AgencyPosition",
    "Attendance",
    "CaseTransfer",
    "Child",
    "ChildDecision",
    "ConcernCategory",
    "DifferenceAbout",
    "DifferenceStage",
    "Discussion",
    "DiscussionFormat",
    "FormDraft",
    "InvitationException",
    "Invitee",
    "Outcome",
    "Position",
    "ProfessionalDifference",
    "Relationship",
    "Urgency",
]
