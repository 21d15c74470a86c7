"""Which discussion each minutes page aims at, so that a refusal of it is recorded on that
discussion's trail (see audit.trail.refused_discussion)."""

from typing import Any

from audit.trail import refusal_target_register
from minutes.models import Delivery, MinutesVersion
from strategy.refusals import discussion_of


def version_discussion(kwargs: dict[str, Any]) -> int | None:
    return (
        MinutesVersion.objects.filter(pk=kwargs["pk"])
        .values_list("discussion_id", flat=True)
        .first()
    )


def delivery_discussion(kwargs: dict[str, Any]) -> int | None:
    return (
        Delivery.objects.filter(pk=kwargs["pk"])
        .values_list("version__discussion_id", flat=True)
        .first()
    )


for name in ("workspace", "approve", "amend", "export"):
    refusal_target_register(f"minutes:{name}", discussion_of)
for name in ("version", "version_pdf"):
    refusal_target_register(f"minutes:{name}", version_discussion)
for name in ("revoke", "partner_confirm"):
    refusal_target_register(f"minutes:{name}", delivery_discussion)
