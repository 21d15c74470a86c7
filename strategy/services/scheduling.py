from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import User
from strategy.invitations import invitations_update
from strategy.models import Discussion
from strategy.services.records import discussion_claim_revision

DISCUSSION_FIELDS = (
    "format",
    "urgency",
    "scheduled_for",
    "joining_details",
    "reason",
    "concern_categories",
    "referrer_agency",
    "referrer_name",
    "immediate_action_taken",
    "concern_raised_at",
    "emergency_action_at",
    "housing_is_factor",
    "team",
    "chair",
    "minute_taker",
)


# What an invitation tells the invitee: a change to any of them owes everyone an update.
INVITATION_DETAILS = ("scheduled_for", "format", "joining_details")


def next_reference(year: int) -> str:
    prefix = f"SD-{year}-"
    last = Discussion.objects.filter(reference__startswith=prefix).aggregate(m=Max("reference"))
    number = int(last["m"].rsplit("-", 1)[1]) + 1 if last["m"] else 1
    return f"{prefix}{number:05d}"


@transaction.atomic
def discussion_schedule(*, created_by: User, **fields: Any) -> Discussion:
    discussion = Discussion(created_by=created_by, **fields)
    discussion.full_clean(exclude=["reference"])
    for _attempt in range(5):
        discussion.reference = next_reference(timezone.localdate().year)
        try:
            with transaction.atomic():
                discussion.save()
            return discussion
        except IntegrityError:
            # Two chairs scheduled at the same moment and took the same number.
            discussion.pk = None
    raise RuntimeError("Could not allocate a discussion reference")


@transaction.atomic
def discussion_update(
    *, discussion: Discussion, expected_revision: int, **fields: Any
) -> Discussion:
    discussion_claim_revision(
        discussion=discussion, expected_revision=expected_revision, section="details"
    )
    before = [getattr(discussion, name) for name in INVITATION_DETAILS]
    for name, value in fields.items():
        setattr(discussion, name, value)
    discussion.full_clean()
    # Only this section's fields: another section may have been saved since it was read.
    discussion.save(update_fields=[*fields, "updated_at"])
    if discussion.held_at is None and before != [
        getattr(discussion, n) for n in INVITATION_DETAILS
    ]:
        invitations_update(discussion=discussion)
    return discussion
