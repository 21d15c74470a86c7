from minutes.models.case_audit import (
    Answer,
    AuditQuestion,
    AuditQuestionSet,
    CaseAudit,
    CaseAuditAnswer,
    CaseAuditItem,
    Grade,
)
from minutes.models.deliveries import Chase, ChaseKind, Delivery, DeliveryStatus
from minutes.models.disputes import Dispute
from minutes.models.summaries import MonthlySummary
from minutes.models.versions import MinutesVersion, PDFStatus

__all__ = [
    "Answer",
    "AuditQuestion",
    "AuditQuestionSet",
    "CaseAudit",
    "CaseAuditAnswer",
    "CaseAuditItem",
    "Grade",
    "Chase",
    "ChaseKind",
    "Delivery",
    "DeliveryStatus",
    "Dispute",
    "MinutesVersion",
    "MonthlySummary",
    "PDFStatus",
]
