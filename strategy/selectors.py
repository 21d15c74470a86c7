"""Who may see and change which discussion. Anything else is a 404."""

from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.models import Role, User
from strategy.models import Discussion

# Partnership auditors (the audit group) read every record and change none.
LOCAL_AUTHORITY_ROLES = (
    Role.CHAIR,
    Role.MINUTE_TAKER,
    Role.MANAGER,
    Role.ADMINISTRATOR,
    Role.AUDITOR,
)
RECORDING_ROLES = (Role.CHAIR, Role.MINUTE_TAKER)


def discussion_for_viewer(user: User, pk: int) -> Discussion:
    if not user.has_role(*LOCAL_AUTHORITY_ROLES):
        raise Http404
    return get_object_or_404(
        Discussion.objects.select_related("team", "chair", "minute_taker"), pk=pk
    )


def can_record(user: Any, discussion: Discussion) -> bool:
    """The chair or the minute-taker of this discussion, and no one else, may record it."""
    return user.pk in (discussion.chair_id, discussion.minute_taker_id)


def discussion_for_recorder(user: User, pk: int) -> Discussion:
    discussion = discussion_for_viewer(user, pk)
    if not can_record(user, discussion):
        raise Http404
    return discussion


def discussion_for_chair_or_manager(user: User, pk: int) -> Discussion:
    """Things done after the call on the discussion's behalf (a conference held, a case
    transfer): its chair, or a manager."""
    discussion = discussion_for_viewer(user, pk)
    if user.pk != discussion.chair_id and not user.has_role(Role.MANAGER):
        raise Http404
    return discussion


def discussion_for_chair(user: User, pk: int) -> Discussion:
    discussion = discussion_for_viewer(user, pk)
    if user.pk != discussion.chair_id:
        raise Http404
    return discussion


DATE_FORMATS = ("%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def _typed_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(" ".join(text.split()), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _person_match(text: str) -> Q:
    """A reference, a child's or an adult's name (every word), a date of birth or an
    expected date, or an NHS number."""
    match = Q(reference__iexact=text) | Q(reference__icontains=text)
    day = _typed_date(text)
    if day is not None:
        return (
            match
            | Q(children__date_of_birth=day)
            | Q(children__expected_delivery_date=day)
            | Q(adults__date_of_birth=day)
        )
    digits = "".join(ch for ch in text if ch not in " -")
    if digits.isdigit() and len(digits) == 10:
        return match | Q(children__nhs_number=digits) | Q(adults__nhs_number=digits)
    child, adult = Q(), Q()
    for word in text.split():
        child &= Q(children__first_name__icontains=word) | Q(children__last_name__icontains=word)
        adult &= Q(adults__name__icontains=word)
    return (
        match
        | Q(pk__in=Discussion.objects.filter(child).values("pk"))
        | Q(pk__in=Discussion.objects.filter(adult).values("pk"))
    )


def discussions_search(
    *,
    user: User,
    mine: bool = False,
    text: str = "",
    on: date | None = None,
    status: str = "",
    team_id: int | None = None,
):  # noqa: ANN201 - a queryset
    discussions = Discussion.objects.select_related(
        "team", "chair", "minute_taker"
    ).prefetch_related("children")
    if mine:
        discussions = discussions.filter(Q(chair=user) | Q(minute_taker=user))
    text = text.strip()
    if text:
        discussions = discussions.filter(
            pk__in=Discussion.objects.filter(_person_match(text)).values("pk")
        )
    if on:
        discussions = discussions.filter(scheduled_for__date=on)
    if status:
        discussions = discussions.with_status(status)
    if team_id:
        discussions = discussions.filter(team_id=team_id)
    return discussions
