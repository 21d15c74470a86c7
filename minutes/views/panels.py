"""What minutes adds to a discussion's page (see strategy.views.panels)."""

from typing import Any

from minutes.models import Dispute
from strategy.models import Discussion


def open_disputes_panel(discussion: Discussion) -> dict[str, Any]:
    return {
        "open_disputes": Dispute.objects.filter(
            delivery__version__discussion=discussion, resolved_at__isnull=True
        ).select_related("delivery__agency")
    }
