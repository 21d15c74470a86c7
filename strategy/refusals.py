"""Every strategy page with a discussion's pk aims at that discussion: a refusal of one
is recorded on its trail (see audit.trail.refused_discussion)."""

from typing import Any

from audit.trail import refusal_target_register
from strategy.models import Discussion


def discussion_of(kwargs: dict[str, Any]) -> int | None:
    if "pk" not in kwargs:
        return None
    return Discussion.objects.filter(pk=kwargs["pk"]).values_list("pk", flat=True).first()


refusal_target_register("strategy:*", discussion_of)
