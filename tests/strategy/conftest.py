"""A fictional county's agencies and people, and a discussion about two siblings."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agencies.models import AgencyKind
from strategy.models import Adult, Child, Discussion
from strategy.services.scheduling import discussion_schedule
from tests.factories import AgencyFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def county(db):
    K = AgencyKind
    agencies = {
        "social_care": AgencyFactory(
            name="Eastmere Children's Social Care", kind=K.CHILDRENS_SOCIAL_CARE
        ),
        "police": AgencyFactory(name="Eastmere Constabulary", kind=K.POLICE),
        "hospital": AgencyFactory(name="Eastmere General Hospital", kind=K.ACUTE_HOSPITAL_TRUST),
        "health_visiting": AgencyFactory(
            name="Eastmere Health Visiting", kind=K.PUBLIC_HEALTH_NURSING
        ),
        "midwifery": AgencyFactory(name="Eastmere Midwifery", kind=K.MIDWIFERY),
        "gp_child": AgencyFactory(name="Riverside Medical Centre", kind=K.GP_PRACTICE),
        "gp_mother": AgencyFactory(name="Harbour Lane Surgery", kind=K.GP_PRACTICE),
        "gp_father": AgencyFactory(name="Millbrook Family Practice", kind=K.GP_PRACTICE),
        "housing": AgencyFactory(name="Eastmere Housing Options", kind=K.HOUSING),
        "school": AgencyFactory(name="Saltmarsh Primary School", kind=K.EDUCATION),
    }
    return agencies


@pytest.fixture
def team(county):
    return TeamFactory(name="Eastmere North Assessment Team", agency=county["social_care"])


@pytest.fixture
def chair(team):
    """Chris chairs the discussion."""
    return UserFactory(username="chris", role="chair", team=team)


@pytest.fixture
def minute_taker(team):
    """Mina takes the minutes."""
    return UserFactory(username="mina", role="minute_taker", team=team)


@pytest.fixture
def other_chair(team):
    """Nadia chairs other discussions, not this one."""
    return UserFactory(username="nadia", role="chair", team=team)


@pytest.fixture
def discussion(chair, minute_taker, team, county) -> Discussion:
    discussion = discussion_schedule(
        created_by=chair,
        format="video",
        urgency="planned",
        scheduled_for=datetime(2026, 11, 23, 10, 0, tzinfo=LONDON),
        joining_details="Video link sent separately",
        reason="Unexplained bruising to a baby seen by the health visitor.",
        concern_categories=["physical"],
        referrer_agency=county["health_visiting"],
        referrer_name="Health visitor",
        immediate_action_taken="",
        housing_is_factor=True,
        team=team,
        chair=chair,
        minute_taker=minute_taker,
    )
    Child.objects.create(
        discussion=discussion,
        first_name="Ada",
        last_name="Testcase",
        date_of_birth=date(2020, 5, 1),
        needs="Ada is quiet at school and often hungry.",
        school=county["school"],
        gp_practice=county["gp_child"],
    )
    Child.objects.create(
        discussion=discussion,
        first_name="Baby",
        last_name="Testcase",
        date_of_birth=date(2026, 6, 1),
        needs="A baby with bruising to the cheek.",
        gp_practice=county["gp_child"],
    )
    Adult.objects.create(
        discussion=discussion,
        name="Morgan Testcase",
        relationship="mother",
        gp_practice=county["gp_mother"],
    )
    Adult.objects.create(
        discussion=discussion,
        name="Sam Otherfield",
        relationship="birth_parent_elsewhere",
        lives_with_children=False,
        gp_practice=county["gp_father"],
    )
    Adult.objects.create(
        discussion=discussion,
        name="Lee Neighbour",
        relationship="other",
        gp_practice=AgencyFactory.create(
            name="Castle Street Health Centre", kind=AgencyKind.GP_PRACTICE
        ),
    )
    return discussion
