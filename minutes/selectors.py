"""Who may see which minutes. Anything else is a 404."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.models import Role, User
from minutes.models import Delivery, MinutesVersion
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
