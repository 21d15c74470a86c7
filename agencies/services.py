"""Changes to the agencies directory. Views and commands call these; nothing else writes."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Contact


@transaction.atomic
def agency_create(**fields: Any) -> Agency:
    agency = Agency(**fields)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **fields: Any) -> Agency:
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.full_clean()
    agency.save()
    return agency


def agency_deactivate(*, agency: Agency) -> Agency:
    """Stops the agency being invited again; old discussions keep pointing at it."""
    if agency.deactivated_at is None:
        agency.deactivated_at = timezone.now()
        agency.save(update_fields=["deactivated_at", "updated_at"])
    return agency


def agency_reactivate(*, agency: Agency) -> Agency:
    agency.deactivated_at = None
    agency.save(update_fields=["deactivated_at", "updated_at"])
    return agency


@transaction.atomic
def contact_save(*, contact: Contact) -> Contact:
    contact.full_clean()
    contact.save()
    return contact


def contact_deactivate(*, contact: Contact) -> Contact:
    if contact.deactivated_at is None:
        contact.deactivated_at = timezone.now()
        contact.save(update_fields=["deactivated_at"])
    return contact
