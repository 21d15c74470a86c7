"""Changes to the agencies directory. Views and commands call these; nothing else writes."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Contact
from agencies.ods import Practice, Skipped


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


@dataclass
class PracticeImport:
    """What an import of GP practices did, practice by practice."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _practice_apply(agency: Agency, practice: Practice, now: datetime) -> bool:
    """Brings the agency in line with the extract; True when anything changed. A name
    differing only in case keeps the directory's spelling; a phone the extract lacks is
    kept; a closed practice is deactivated, and an open one never reactivated here."""
    changed = False
    if agency.name.lower() != practice.name.lower():
        agency.name, changed = practice.name, True
    if practice.phone and agency.phone != practice.phone:
        agency.phone, changed = practice.phone, True
    for name in ("address", "postcode"):
        value = getattr(practice, name)
        if value and getattr(agency, name) != value:
            setattr(agency, name, value)
            changed = True
    if practice.is_closed and agency.deactivated_at is None:
        agency.deactivated_at, changed = now, True
    return changed


def _name_taken(name: str, *, other_than: Agency | None) -> Agency | None:
    clashes = Agency.objects.filter(name__iexact=name)
    if other_than is not None:
        clashes = clashes.exclude(pk=other_than.pk)
    return clashes.first()


@transaction.atomic
def gp_practices_import(*, entries: Iterable[Practice | Skipped]) -> PracticeImport:
    """Creates or updates GP practices by ODS code, ignoring case, and never deletes.

    The extract has no email address, so a new practice arrives deactivated, to be
    activated once a manager adds its secure address for minutes (the agency form requires
    one); a closed one arrives deactivated anyway."""
    now = timezone.now()
    report = PracticeImport()
    for entry in entries:
        if isinstance(entry, Skipped):
            report.skipped.append(entry)
            continue
        agency = Agency.objects.filter(ods_code__iexact=entry.ods_code).first()
        if agency is not None and agency.kind != AgencyKind.GP_PRACTICE:
            reason = f"{agency.name} has this code and is not a GP practice"
            report.skipped.append(Skipped(entry.line, entry.ods_code, reason))
            continue
        clash = _name_taken(entry.name, other_than=agency)
        if clash is not None:
            reason = f"an agency called {clash.name} is already in the directory"
            if clash.ods_code:
                reason += f" with ODS code {clash.ods_code}"
            report.skipped.append(Skipped(entry.line, entry.ods_code, reason))
            continue
        if agency is None:
            Agency.objects.create(
                name=entry.name,
                kind=AgencyKind.GP_PRACTICE,
                ods_code=entry.ods_code,
                phone=entry.phone,
                address=entry.address,
                postcode=entry.postcode,
                secure_email="",
                deactivated_at=now,
            )
            report.created.append(entry.ods_code)
        elif _practice_apply(agency, entry, now):
            agency.save()
            report.updated.append(entry.ods_code)
        else:
            report.unchanged.append(entry.ods_code)
    return report
