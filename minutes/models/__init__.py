from minutes.models.deliveries import Chase, ChaseKind, Delivery, DeliveryStatus
from minutes.models.disputes import Dispute
from minutes.models.summaries import MonthlySummary
from minutes.models.versions import MinutesVersion, PDFStatus

__all__ = [
    "Chase",
    "ChaseKind",
    "Delivery",
    "DeliveryStatus",
    "Dispute",
    "MinutesVersion",
    "MonthlySummary",
    "PDFStatus",
]
