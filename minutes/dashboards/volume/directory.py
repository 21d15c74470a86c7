"""A fictional partnership's directory: agencies of every kind, teams, chairs and
minute-takers. Every name is made up from invented place names."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import product

from django.contrib.auth.hashers import make_password
from django.db.models.functions import Lower

from agencies.models import Agency, AgencyKind, Role, Team, User
from minutes.dashboards.volume.bulk import BulkTable

PLACES = (
    "Eastmere", "Saltmarsh", "Millbrook", "Harbour Lane", "Alderford", "Fenwick Cross",
    "Greywater", "Hollin Bank", "Kestrel Moor", "Larkspur", "Marrowby", "Netherfold",
    "Oakhurst", "Pellow", "Quillstead", "Rushmere", "Sedgecombe", "Thornwick", "Umberleigh",
    "Vale End", "Westerly", "Yarrowfield", "Brackenhall", "Cinderford Green", "Dunmoor",
)  # fmt: skip

KINDS = (  # (kind, share of the agencies, name endings, email domain)
    (AgencyKind.CHILDRENS_SOCIAL_CARE, 0.01, ("Children's Social Care",), "gov.uk"),
    (AgencyKind.POLICE, 0.01, ("Constabulary",), "police.uk"),
    (AgencyKind.ACUTE_HOSPITAL_TRUST, 0.02, ("General Hospital", "Hospitals Trust"), "nhs.net"),
    (AgencyKind.PUBLIC_HEALTH_NURSING, 0.01, ("Health Visiting",), "nhs.net"),
    (AgencyKind.MIDWIFERY, 0.01, ("Midwifery",), "nhs.net"),
    (AgencyKind.MENTAL_HEALTH, 0.01, ("Mental Health Service",), "nhs.net"),
    (AgencyKind.AMBULANCE, 0.003, ("Ambulance Service",), "nhs.net"),
    (AgencyKind.HOUSING, 0.03, ("Housing Options", "Homes"), "gov.uk"),
    (AgencyKind.EDUCATION, 0.25, ("Primary School", "Academy", "High School"), "sch.uk"),
    (AgencyKind.EARLY_YEARS, 0.04, ("Nursery", "Children's Centre"), "gov.uk"),
    (AgencyKind.PROBATION, 0.005, ("Probation",), "justice.gov.uk"),
    (AgencyKind.YOUTH_JUSTICE, 0.005, ("Youth Justice Service",), "gov.uk"),
    (AgencyKind.SUBSTANCE_MISUSE, 0.005, ("Recovery Service",), "nhs.net"),
    (AgencyKind.LOCAL_AUTHORITY_LEGAL, 0.003, ("Legal Services",), "gov.uk"),
)
GP_ENDINGS = ("Medical Centre", "Surgery", "Health Centre", "Family Practice")
CHAIRS_PER_TEAM = MINUTE_TAKERS_PER_TEAM = 3
AGENCIES_PER_TEAM = 25


@dataclass
class TeamPeople:
    team_id: int
    agency_id: int
    chairs: list[int]
    minute_takers: list[int]


@dataclass
class Directory:
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    teams: list[TeamPeople] = field(default_factory=list)

    def of(self, kind: str) -> list[int]:
        return self.by_kind.get(kind, [])


def _names(endings: tuple[str, ...], taken: set[str]) -> Iterator[str]:
    for round_ in range(1, 10_000):
        for place, ending in product(PLACES, endings):
            name = f"{place} {ending}" if round_ == 1 else f"{place} {ending} {round_}"
            if name.lower() not in taken:
                taken.add(name.lower())
                yield name


def directory_seed(*, agencies: int, run: str, now: datetime, rng: random.Random) -> Directory:
    taken = set(Agency.objects.annotate(n=Lower("name")).values_list("n", flat=True))
    table = BulkTable(Agency, now)
    directory = Directory()
    plan: list[tuple[str, int, tuple[str, ...], str]] = [
        (kind, max(1, round(agencies * share)), ends, dom) for kind, share, ends, dom in KINDS
    ]
    gps = max(1, agencies - sum(count for _, count, _, _ in plan))
    plan.append((AgencyKind.GP_PRACTICE, gps, GP_ENDINGS, "nhs.net"))
    for kind, count, endings, domain in plan:
        names = _names(endings, taken)
        for _ in range(count):
            name = next(names)
            slug = "".join(c for c in name.lower() if c.isalnum())
            agency_id = table.add(
                name=name,
                kind=kind,
                secure_email=f"safeguarding.{slug}.{run}@{domain}",
                phone="01632 960000",
            )
            directory.by_kind.setdefault(kind, []).append(agency_id)
    table.flush()
    _teams_seed(directory, count=max(2, agencies // AGENCIES_PER_TEAM), run=run, now=now)
    return directory


def _teams_seed(directory: Directory, *, count: int, run: str, now: datetime) -> None:
    taken = set(Team.objects.annotate(n=Lower("name")).values_list("n", flat=True))
    names = _names(("Assessment Team",), taken)
    teams, users = BulkTable(Team, now), BulkTable(User, now)
    password = make_password(None)
    social_care = directory.of(AgencyKind.CHILDRENS_SOCIAL_CARE)
    for number in range(count):
        agency_id = social_care[number % len(social_care)]
        team_id = teams.add(name=next(names), agency_id=agency_id)
        people = TeamPeople(team_id, agency_id, [], [])
        for role, group, how_many in (
            (Role.CHAIR, people.chairs, CHAIRS_PER_TEAM),
            (Role.MINUTE_TAKER, people.minute_takers, MINUTE_TAKERS_PER_TEAM),
        ):
            for k in range(how_many):
                username = f"{run}-{role}-{number}-{k}".replace("_", "-")
                group.append(
                    users.add(
                        username=username,
                        password=password,
                        first_name=f"{PLACES[k % len(PLACES)].split()[0]}",
                        last_name=f"{role.label.replace('-', '')} {number}.{k}",
                        email=f"{username}@eastmere.gov.uk",
                        role=role,
                        team_id=team_id,
                        date_joined=now,
                    )
                )
        directory.teams.append(people)
    teams.flush()
    users.flush()
