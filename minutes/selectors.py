"""Who may see which minutes. Anything else is a 404."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.models import Role, User
from minutes.models import Delivery, MinutesVersion
from strategy.models import Action
from strategy.selectors import LOCAL_AUTHORITY_ROLES


def version_for_reader(user: User, pk: int) -> MinutesVersion:
    version = get_object_or_404(MinutesVersion.objects.select_related("discussion"), pk=pk)
    if user.has_role(*LOCAL_AUTHORITY_ROLES):
        return version
    if (
        user.has_role(Role.PARTNER)
        and user.agency_id is not None
        and version.is_approved
        and version.deliveries.filter(agency_id=user.agency_id, revoked_at__isnull=True).exists()
    ):
        return version
    raise Http404


def deliveries_for_partner(user: User) -> QuerySet[Delivery]:
    if not user.has_role(Role.PARTNER) or user.agency_id is None:
        raise Http404
    return Delivery.objects.filter(
        agency_id=user.agency_id, revoked_at__isnull=True, status="sent"
    ).select_related("version__discussion")


def actions_for_partner(user: User) -> QuerySet[Action]:
    """The open actions of the partner's own agency, on discussions whose minutes reached it."""
    sent_to_them = deliveries_for_partner(user).values("version__discussion_id")
    assert user.agency_id is not None  # deliveries_for_partner refused anyone without one
    return (
        Action.objects.filter(
            agency_id=user.agency_id,
            discussion_id__in=sent_to_them,
            completed_at__isnull=True,
        )
        .select_related("discussion")
        .order_by("due_by", "pk")
    )
