"""The strategy fixtures' discussion, recorded in full, with approved minutes."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from minutes.document import minutes_snapshot
from minutes.models import MinutesVersion
from strategy.models import (
    Action,
    AgencyPosition,
    ChildDecision,
    InvitationException,
    Invitee,
    Outcome,
    ProfessionalDifference,
)
from tests.strategy.conftest import (  # noqa: F401
    LONDON,
    chair,
    county,
    discussion,
    minute_taker,
    team,
)

POLICE_REASON = (
    "The constabulary wants a joint investigation for Ada too: she may have seen the injury."
)
HOSPITAL_REASON = "A skeletal survey should be arranged before any section 17 assessment."

# (agency key, attendance, representative, can make decisions, information, scaling)
SEATS = [
    ("social_care", "attended", "Sol Worker, team manager", True, "Open to early help.", 4),
    ("police", "attended", "DS Pat Officer", True, "No police history at the address.", 5),
    ("hospital", "attended", "Dr Hana Paediatrician", False, "Bruise is not accidental.", 2),
    ("health_visiting", "attended", "Hal Visitor", True, "Saw the bruise at a new birth visit.", 3),
    ("gp_child", "apologies", "", None, "", None),
    ("gp_mother", "information_only", "", None, "Mother registered, no concerns.", None),
    ("gp_father", "did_not_attend", "", None, "", None),
    ("school", "invited", "", None, "", None),
]


@pytest.fixture
def recorded(discussion, county, chair):  # noqa: F811
    """Every section of the record filled in: invitees, decisions, positions, actions."""
    invitees = {}
    for key, attendance, representative, decides, information, scaling in SEATS:
        invitees[key] = Invitee.objects.create(
            discussion=discussion,
            agency=county[key],
            why_invited="Statutory partner",
            attendance=attendance,
            representative=representative,
            can_make_decisions=decides,
            information_shared=information,
            scaling=scaling,
        )
    InvitationException.objects.create(
        discussion=discussion,
        requirement="housing",
        description="Housing (housing is a factor)",
        agency=county["housing"],
        reason="The family's tenancy is private; housing options has no involvement.",
        recorded_by=chair,
    )
    ada, baby = discussion.children.order_by("first_name")
    ada.voice = "Ada said she likes school dinners and misses her dad."
    ada.voice_obtained = "Spoken with by her teacher on 20 November 2026."
    ada.save()

    discussion.worries = "A baby with an unexplained bruise."
    discussion.working_well = "Mother engaged with the health visitor."
    discussion.danger_statement = "Baby could be seriously hurt if the bruise was inflicted."
    discussion.safety_goal = "Baby is seen by a paediatrician and kept safe."
    discussion.contingency_plan = "If mother leaves the area, police to be informed."
    discussion.shared_with_family = "That a section 47 enquiry will start."
    discussion.shared_with_family_on = date(2026, 11, 24)
    discussion.shared_with_family_by = "Sol Worker"
    discussion.follow_up_due_by = date(2026, 12, 7)
    discussion.held_at = datetime(2026, 11, 23, 10, 5, tzinfo=LONDON)
    discussion.outcome_recorded_at = discussion.held_at
    discussion.save()

    baby_decision = ChildDecision.objects.create(
        child=baby,
        threshold_met=True,
        rationale="Unexplained bruising to a non-mobile baby.",
        outcomes=[Outcome.S47_JOINT, Outcome.MEDICAL],
        conference_due_by=date(2026, 12, 14),
        decided_by=chair,
    )
    ada_decision = ChildDecision.objects.create(
        child=ada,
        threshold_met=True,
        rationale="Ada lives in the same household.",
        outcomes=[Outcome.S17_ASSESSMENT, Outcome.FURTHER_DISCUSSION],
        no_s47_rationale="No indication Ada has been harmed herself.",
        further_discussion_on=date(2026, 12, 1),
        decided_by=chair,
    )
    attending = ("social_care", "police", "hospital", "health_visiting")
    for key in attending:
        AgencyPosition.objects.create(
            decision=baby_decision, invitee=invitees[key], position="agrees"
        )
    police = None
    for key in attending:
        position, reason = "agrees", ""
        if key == "police":
            position, reason = "disagrees", POLICE_REASON
        elif key == "hospital":
            position, reason = "disagrees", HOSPITAL_REASON
        record = AgencyPosition.objects.create(
            decision=ada_decision, invitee=invitees[key], position=position, reason=reason
        )
        if key == "police":
            police = record
    ProfessionalDifference.objects.create(
        discussion=discussion,
        position=police,
        raised_by="DS Pat Officer",
        raised_with="Chris Example, chair",
        raised_on=date(2026, 11, 23),
        issue="Whether Ada's enquiry should be joint.",
        opened_by=chair,
    )
    Action.objects.create(
        discussion=discussion,
        what="Arrange a child protection medical for Baby.",
        agency=county["hospital"],
        person="Dr Hana Paediatrician",
        due_by=date(2026, 11, 24),
        why="To find out how the bruise was caused.",
    )
    Action.objects.create(
        discussion=discussion,
        what="Visit the family home jointly.",
        agency=county["police"],
        person="DS Pat Officer",
        due_by=date(2026, 11, 25),
        why="Joint section 47 enquiry.",
    )
    return discussion


@pytest.fixture
def approved(recorded, chair, minute_taker, settings, tmp_path):  # noqa: F811
    """Version 1 of the minutes, approved with a snapshot of the record."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return MinutesVersion.objects.create(
        discussion=recorded,
        number=1,
        drafted_by=minute_taker,
        additional_notes="The chair thanked everyone.\nNext review in two weeks.",
        approved_at=timezone.now(),
        approved_by=chair,
        snapshot=minutes_snapshot(recorded),
    )
