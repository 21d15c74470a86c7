"""Resolving Professional Differences: open, record each stage, escalate, resolve.

Stages and timescales follow the Durham and South West Child Protection Procedures
protocols (docs/professional-differences.md). The database is the source of truth: an open
difference's stage and the day it ends sit on its row, the sweep reads what is due through
a partial index, and every escalation is claimed by a conditional UPDATE on (pk, stage), so
two sweeps, or a sweep and a person asking, escalate it once and owe one message.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, User
from agencies.secure_email import is_secure_email
from audit.trail import audit_record
from outbox.models import MessageKind
from outbox.services import message_owe
from strategy.models import AgencyPosition, DifferenceStage, Discussion, ProfessionalDifference
from strategy.models.decisions import FINAL_STAGE, StageEnd, stage_owner
from strategy.working_days import add_working_days, is_working_day

SWEEP_LIMIT = 500


def invited_agencies(discussion: Discussion, other_than: Agency) -> QuerySet[Agency]:
    """The agencies a difference can be raised with: the discussion's other invitees."""
    return Agency.objects.filter(
        pk__in=discussion.invitees.exclude(agency=other_than).values("agency_id")
    ).order_by("name")


def stage_due_on(stage: int, starts: date) -> date:
    """The last day of a stage that starts on `starts` (a weekend starts on Monday)."""
    day = starts
    while not is_working_day(day):
        day = date.fromordinal(day.toordinal() + 1)
    return add_working_days(day, settings.RPD_STAGE_WORKING_DAYS[stage - 1])


def _stage_begin(difference: ProfessionalDifference, stage: int, now: datetime) -> date:
    due = stage_due_on(stage, timezone.localdate(now))
    DifferenceStage.objects.create(
        difference=difference,
        stage=stage,
        owner=stage_owner(stage),
        started_at=now,
        due_on=due,
    )
    return due


@transaction.atomic
def difference_open(
    *,
    discussion: Discussion,
    opened_by: User | None,
    position: AgencyPosition | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
    **fields: Any,
) -> ProfessionalDifference:
    """Opens a difference at stage 1, raised by any agency, with stage 1's due date."""
    now = timezone.now()
    difference = ProfessionalDifference(
        discussion=discussion, opened_by=opened_by, position=position, stage=1, **fields
    )
    difference.stage_due_on = stage_due_on(1, difference.raised_on or timezone.localdate(now))
    difference.full_clean()
    difference.save()
    DifferenceStage.objects.create(
        difference=difference,
        stage=1,
        owner=stage_owner(1),
        started_at=now,
        due_on=difference.stage_due_on,
    )
    _owe_opened(difference)
    audit_record(
        request,
        "difference.opened",
        discussion_id=discussion.pk,
        obj=difference,
        detail={"raised_via": difference.raised_via, "about": difference.about},
        actor_label=actor_label,
    )
    return difference


@transaction.atomic
def difference_stage_record(
    *,
    difference: ProfessionalDifference,
    agreed: bool,
    agreement: str,
    recorded_by: User,
    request: HttpRequest | None = None,
) -> DifferenceStage:
    """What was agreed, or not, at the current stage, and when."""
    if difference.resolved_at is not None:
        raise ValidationError("This difference is resolved")
    current = DifferenceStage.objects.select_for_update().get(
        difference=difference, stage=difference.stage
    )
    current.agreed = agreed
    current.agreement = agreement
    current.recorded_at = timezone.now()
    current.recorded_by = str(recorded_by)
    current.save()
    audit_record(
        request,
        "difference.stage_recorded",
        discussion_id=difference.discussion_id,
        obj=difference,
        detail={"stage": current.stage, "agreed": agreed},
    )
    return current


def opened_recipients(difference: ProfessionalDifference) -> list[str]:
    """Who hears that a difference was raised at stage 1: the chair, who owns the record,
    and the safeguarding leads of the agency it was raised with."""
    addresses = [difference.discussion.chair.email]
    if difference.with_agency:
        addresses += [contact.email for contact in difference.with_agency.safeguarding_leads()]
    return sorted({address.lower() for address in addresses if address})


def _owe_opened(difference: ProfessionalDifference) -> None:
    recipients = opened_recipients(difference)
    if not recipients:
        return
    discussion = difference.discussion
    context = {
        "difference": difference,
        "discussion": discussion,
        # The issue is free text that may name the family: only in a body that goes to
        # secure addresses alone. Otherwise the reader signs in to read it.
        "secure": all(is_secure_email(address) for address in recipients),
        "link": settings.SITE_URL
        + reverse("strategy:difference", args=[discussion.pk, difference.pk]),
    }
    message_owe(
        kind=MessageKind.DIFFERENCE_OPENED,
        recipients=recipients,
        subject=" ".join(render_to_string("emails/difference-opened-subject.txt", context).split()),
        body=render_to_string("emails/difference-opened-body.txt", context),
        discussion_id=difference.discussion_id,
        agency_id=difference.with_agency_id,
        about_id=difference.pk,
    )


def escalation_recipients(difference: ProfessionalDifference, stage: int) -> list[str]:
    """The next owner's addresses. Stage 2: the chair's line manager; stage 3: the
    safeguarding leads of the agencies in the difference; stage 4, or when nobody is on
    record for a stage, the partnership's escalation panel, so a message always has a reader."""
    addresses: list[str] = []
    discussion = difference.discussion
    if stage == 2 and discussion.chair.manager and discussion.chair.manager.email:
        addresses.append(discussion.chair.manager.email)
    if stage == 3:
        agencies = [discussion.team.agency, difference.raising_agency, difference.with_agency]
        for agency in filter(None, agencies):
            addresses += [contact.email for contact in agency.safeguarding_leads()]
    if stage == FINAL_STAGE or not addresses:
        addresses.append(settings.RPD_PANEL_EMAIL)
    return sorted({address.lower() for address in addresses})


def _owe_escalation(difference: ProfessionalDifference, because: str) -> None:
    context = {
        "difference": difference,
        "discussion": difference.discussion,
        "because": StageEnd(because).label,
        "history": list(difference.stages.all()),
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(
        render_to_string("emails/difference-escalation-subject.txt", context).split()
    )
    message_owe(
        kind=MessageKind.DIFFERENCE_ESCALATION,
        recipients=escalation_recipients(difference, difference.stage),
        subject=subject,
        body=render_to_string("emails/difference-escalation-body.txt", context),
        discussion_id=difference.discussion_id,
        agency_id=difference.raising_agency_id,
        about_id=difference.pk,
    )


@transaction.atomic
def difference_escalate(
    *,
    difference_id: int,
    from_stage: int,
    because: str,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Moves an open difference from `from_stage` to the next; False if someone else did,
    it is resolved, or it is already at the last stage."""
    now = now or timezone.now()
    if from_stage >= FINAL_STAGE:
        return False
    stage = from_stage + 1
    due = stage_due_on(stage, timezone.localdate(now))
    claimed = ProfessionalDifference.objects.filter(
        pk=difference_id, stage=from_stage, resolved_at__isnull=True
    ).update(stage=stage, stage_due_on=due)
    if not claimed:
        return False
    DifferenceStage.objects.filter(difference_id=difference_id, stage=from_stage).update(
        ended_at=now, ended_because=because
    )
    difference = ProfessionalDifference.objects.select_related(
        "discussion__chair__manager", "discussion__team__agency", "raising_agency", "with_agency"
    ).get(pk=difference_id)
    DifferenceStage.objects.create(
        difference=difference, stage=stage, owner=stage_owner(stage), started_at=now, due_on=due
    )
    _owe_escalation(difference, because)
    audit_record(
        request,
        "difference.escalated",
        discussion_id=difference.discussion_id,
        obj=difference,
        detail={"from_stage": from_stage, "to_stage": stage, "because": because},
        actor_label="" if request else "Escalation sweep",
    )
    return True


def differences_escalate_due(now: datetime | None = None) -> list[int]:
    """The periodic sweep: every open difference past its stage's last day goes up one."""
    now = now or timezone.now()
    due = ProfessionalDifference.objects.filter(
        resolved_at__isnull=True,
        stage_due_on__lt=timezone.localdate(now),
        stage__lt=FINAL_STAGE,
    ).values_list("pk", "stage")[:SWEEP_LIMIT]
    escalated = []
    for pk, stage in list(due):
        if difference_escalate(
            difference_id=pk, from_stage=stage, because=StageEnd.TIMESCALE_PASSED, now=now
        ):
            escalated.append(pk)
    return escalated


@transaction.atomic
def difference_resolve(
    *,
    difference: ProfessionalDifference,
    outcome: str,
    minutes_must_change: bool,
    resolved_by: User,
    request: HttpRequest | None = None,
) -> ProfessionalDifference:
    now = timezone.now()
    claimed = ProfessionalDifference.objects.filter(
        pk=difference.pk, resolved_at__isnull=True
    ).update(
        resolved_at=now,
        outcome=outcome,
        minutes_must_change=minutes_must_change,
        resolved_by=str(resolved_by),
    )
    if not claimed:
        raise ValidationError("This difference is already resolved")
    DifferenceStage.objects.filter(difference=difference, ended_at__isnull=True).update(
        ended_at=now, ended_because=StageEnd.RESOLVED
    )
    audit_record(
        request,
        "difference.resolved",
        discussion_id=difference.discussion_id,
        obj=difference,
        detail={"stage": difference.stage, "minutes_must_change": minutes_must_change},
    )
    difference.refresh_from_db()
    return difference
