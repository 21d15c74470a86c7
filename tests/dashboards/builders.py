"""Small builders for the dashboards' fixtures: a discussion in a few lines, with its
invitees, children, household, minutes, deliveries and receipts. All fictional."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from agencies.models import Agency, AgencyKind, Team, User
from minutes.models import Delivery, Dispute, MinutesVersion
from outbox.models import Message, MessageKind, MessageState
from strategy.models import (
    Action,
    Adult,
    AgencyPosition,
    Child,
    ChildDecision,
    Discussion,
    Invitee,
    ProfessionalDifference,
)
from strategy.services.differences import stage_due_on
from tests.factories import AgencyFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
_references = count(1)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment in 2026 (March unless said), London time (GMT until 29 March)."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@dataclass
class Partnership:
    """Agencies by key, two teams (North and South) and the people in them."""

    agencies: dict[str, Agency]
    north: Team
    south: Team
    chris: User  # chairs for North
    nadia: User  # chairs for South
    mina: User  # takes minutes for both
    people: dict[str, Any] = field(default_factory=dict)


def partnership() -> Partnership:
    K = AgencyKind
    agencies = {
        "csc": AgencyFactory(name="Eastmere Children's Social Care", kind=K.CHILDRENS_SOCIAL_CARE),
        "police": AgencyFactory(name="Eastmere Constabulary", kind=K.POLICE),
        "hospital": AgencyFactory(name="Eastmere General Hospital", kind=K.ACUTE_HOSPITAL_TRUST),
        "gp_a": AgencyFactory(name="Riverside Medical Centre", kind=K.GP_PRACTICE),
        "gp_b": AgencyFactory(name="Harbour Lane Surgery", kind=K.GP_PRACTICE),
        "gp_c": AgencyFactory(name="Millbrook Family Practice", kind=K.GP_PRACTICE),
        "housing": AgencyFactory(name="Eastmere Housing Options", kind=K.HOUSING),
        "school": AgencyFactory(name="Saltmarsh Primary School", kind=K.EDUCATION),
    }
    north = TeamFactory(name="Eastmere North Assessment Team", agency=agencies["csc"])
    south = TeamFactory(name="Eastmere South Assessment Team", agency=agencies["csc"])
    return Partnership(
        agencies=agencies,
        north=north,
        south=south,
        chris=UserFactory(username="chris", role="chair", team=north),
        nadia=UserFactory(username="nadia", role="chair", team=south),
        mina=UserFactory(username="mina", role="minute_taker", team=north),
    )


def discussion(
    p: Partnership,
    *,
    held_at: datetime | None,
    scheduled_for: datetime | None = None,
    team: Team | None = None,
    chair: User | None = None,
    housing: bool = False,
    distributed_at: datetime | None = None,
    closed_at: datetime | None = None,
    follows: Discussion | None = None,
    follow_up_due_by: date | None = None,
    urgency: str = "planned",
    concern_raised_at: datetime | None = None,
    delay_reason: str = "",
) -> Discussion:
    chair = chair or p.chris
    scheduled_for = scheduled_for or held_at
    assert scheduled_for is not None, "a discussion not yet held needs a date"
    return Discussion.objects.create(
        reference=f"SD-TEST-{next(_references):04d}",
        format="video",
        urgency=urgency,
        concern_raised_at=concern_raised_at,
        delay_reason=delay_reason,
        scheduled_for=scheduled_for,
        reason="Fictional concern.",
        housing_is_factor=housing,
        team=team or p.north,
        chair=chair,
        minute_taker=p.mina,
        created_by=chair,
        held_at=held_at,
        outcome_recorded_at=held_at,
        minutes_distributed_at=distributed_at,
        closed_at=closed_at,
        follows=follows,
        follow_up_due_by=follow_up_due_by,
    )


def invite(
    d: Discussion, agency: Agency, attendance: str = "attended", information: str = ""
) -> Invitee:
    return Invitee.objects.create(
        discussion=d, agency=agency, attendance=attendance, information_shared=information
    )


def child(
    d: Discussion,
    *,
    gp: Agency | None = None,
    rationale: str | None = "Fictional rationale.",
    conference_due_by: date | None = None,
) -> Child:
    """A child; rationale None means no decision was recorded for them."""
    made = Child.objects.create(
        discussion=d, first_name="Ada", last_name="Testcase", needs="Fictional.", gp_practice=gp
    )
    if rationale is not None:
        ChildDecision.objects.create(
            child=made,
            threshold_met=True,
            rationale=rationale,
            outcomes=["s47_joint"] if conference_due_by else ["s17_assessment"],
            conference_due_by=conference_due_by,
            decided_by=d.chair,
        )
    return made


def adult(d: Discussion, *, gp: Agency | None, relationship: str = "mother") -> Adult:
    return Adult.objects.create(
        discussion=d, name="Morgan Testcase", relationship=relationship, gp_practice=gp
    )


def position(c: Child, invitee: Invitee, stance: str = "disagrees") -> AgencyPosition:
    return AgencyPosition.objects.create(
        decision=c.decision,
        invitee=invitee,
        position=stance,
        reason="Fictional reason." if stance == "disagrees" else "",
    )


def difference(
    d: Discussion,
    *,
    opened_at: datetime,
    resolved_at: datetime | None = None,
    stage: int = 1,
    due_on: date | None = None,
) -> ProfessionalDifference:
    made = ProfessionalDifference.objects.create(
        discussion=d,
        raised_by="DS Pat Officer",
        raised_with="The chair",
        raised_on=opened_at.date(),
        issue="Whether the enquiry should be joint.",
        opened_by=d.chair,
        stage=stage,
        stage_due_on=due_on or stage_due_on(stage, opened_at.date()),
    )
    ProfessionalDifference.objects.filter(pk=made.pk).update(
        opened_at=opened_at, resolved_at=resolved_at
    )
    made.refresh_from_db()
    return made


def version(d: Discussion, number: int = 1, approved_at: datetime | None = None) -> MinutesVersion:
    return MinutesVersion.objects.create(
        discussion=d,
        number=number,
        drafted_by=d.minute_taker,
        approved_at=approved_at or d.held_at,
        approved_by=d.chair,
    )


def delivery(
    v: MinutesVersion,
    agency: Agency,
    *,
    sent_at: datetime | None,
    confirmed_after: timedelta | None = None,
    chases: int = 0,
    escalated_at: datetime | None = None,
    status: str = "sent",
    last_error: str = "",
    revoked_at: datetime | None = None,
) -> Delivery:
    invitee = Invitee.objects.get_or_create(discussion=v.discussion, agency=agency)[0]
    made = Delivery.objects.create(
        version=v,
        invitee=invitee,
        agency=agency,
        recipients=[agency.secure_email],
        status=status,
        sent_at=sent_at,
        last_error=last_error,
        confirmed_at=sent_at + confirmed_after if sent_at and confirmed_after else None,
        confirmed_by_name="Fictional Recipient" if confirmed_after else "",
        chases_sent=chases,
        escalated_at=escalated_at,
        revoked_at=revoked_at,
        revoked_reason="Sent to the wrong address." if revoked_at else "",
    )
    if status == "failed":
        Message.objects.create(
            kind=MessageKind.MINUTES,
            state=MessageState.FAILED,
            recipients=made.recipients,
            discussion_id=v.discussion_id,
            version_id=v.pk,
            delivery_id=made.pk,
            agency_id=agency.pk,
            attempts=1,
            last_reply=last_error,
            failed_at=v.approved_at,
        )
    return made


def dispute(d: Delivery, *, raised_at: datetime, resolved_at: datetime | None = None) -> Dispute:
    made = Dispute.objects.create(
        delivery=d,
        statement='=HYPERLINK("http://example.invalid") the minutes miss our concern',
        raised_by_name="Dr Hana Paediatrician",
        raised_by_role="Named doctor",
    )
    Dispute.objects.filter(pk=made.pk).update(raised_at=raised_at, resolved_at=resolved_at)
    made.refresh_from_db()
    return made


def action(
    d: Discussion, agency: Agency, *, due_by: date, completed_at: datetime | None = None
) -> Action:
    return Action.objects.create(
        discussion=d,
        what="Visit the family home jointly.",
        agency=agency,
        person="DS Pat Officer",
        due_by=due_by,
        why="Joint section 47 enquiry.",
        completed_at=completed_at,
    )
