"""A held discussion with ten invited agencies, ready for its minutes to be approved."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from agencies.models import Agency, AgencyKind, User
from minutes.models import MinutesVersion
from strategy.models import Attendance, Child, ChildDecision, Discussion, Invitee
from tests.factories import AgencyFactory, ContactFactory, TeamFactory, UserFactory

KINDS = [
    ("Eastmere Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE, Attendance.ATTENDED),
    ("Eastmere Constabulary", AgencyKind.POLICE, Attendance.ATTENDED),
    ("Eastmere General Hospital", AgencyKind.ACUTE_HOSPITAL_TRUST, Attendance.ATTENDED),
    ("Eastmere Health Visiting", AgencyKind.PUBLIC_HEALTH_NURSING, Attendance.APOLOGIES),
    ("Riverside Medical Centre", AgencyKind.GP_PRACTICE, Attendance.INFORMATION_ONLY),
    ("Harbour Lane Surgery", AgencyKind.GP_PRACTICE, Attendance.DID_NOT_ATTEND),
    ("Millbrook Family Practice", AgencyKind.GP_PRACTICE, Attendance.DID_NOT_ATTEND),
    ("Eastmere Housing Options", AgencyKind.HOUSING, Attendance.APOLOGIES),
    ("Saltmarsh Primary School", AgencyKind.EDUCATION, Attendance.ATTENDED),
    ("Eastmere Probation", AgencyKind.PROBATION, Attendance.INFORMATION_ONLY),
]


@dataclass
class HeldDiscussion:
    discussion: Discussion
    chair: User
    manager: User
    agencies: list[Agency]


def held_discussion(*, held_at: datetime | None = None, agencies: int = 10) -> HeldDiscussion:
    held_at = held_at or timezone.now() - timedelta(hours=2)
    created = [
        AgencyFactory.create(name=name, kind=kind, secure_email=f"minutes.{i}@eastmere.gov.uk")
        for i, (name, kind, _) in enumerate(KINDS[:agencies])
    ]
    ContactFactory.create(
        agency=created[-1],
        name="Safeguarding Lead",
        email="lead@eastmere.police.uk",
        is_safeguarding_lead=True,
    )
    team = TeamFactory.create(agency=created[0])
    manager = UserFactory.create(username="maya", role="manager", email="maya@eastmere.gov.uk")
    chair = UserFactory.create(
        username="chris", role="chair", team=team, manager=manager, email="chris@eastmere.gov.uk"
    )
    minute_taker = UserFactory.create(username="mina", role="minute_taker", team=team)
    discussion = Discussion.objects.create(
        reference="SD-2026-00077",
        format="video",
        urgency="immediate",
        scheduled_for=held_at,
        held_at=held_at,
        reason="Fictional: bruising to a baby.",
        team=team,
        chair=chair,
        minute_taker=minute_taker,
        created_by=chair,
        outcome_recorded_at=held_at,
    )
    child = Child.objects.create(
        discussion=discussion,
        first_name="Rowan",
        last_name="Testcase",
        date_of_birth=date(2026, 1, 5),
        needs="A baby, not yet mobile.",
    )
    ChildDecision.objects.create(
        child=child,
        threshold_met=True,
        rationale="Bruising to a baby.",
        outcomes=["s47_joint"],
        decided_by=chair,
    )
    for agency, (_, _, attendance) in zip(created, KINDS, strict=False):
        Invitee.objects.create(discussion=discussion, agency=agency, attendance=attendance)
    return HeldDiscussion(discussion=discussion, chair=chair, manager=manager, agencies=created)


def render_now(version: MinutesVersion) -> MinutesVersion:
    """Makes the version's PDF as the worker would, now, and returns the version as stored."""
    from minutes.services.lifecycle import version_render

    MinutesVersion.objects.filter(pk=version.pk, pdf_status__in=["", "pending"]).update(
        pdf_status="pending", pdf_next_attempt_at=timezone.now()
    )
    version_render(version.pk)
    return MinutesVersion.objects.select_related("discussion").get(pk=version.pk)
