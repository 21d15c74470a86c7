"""The load test's fictional data, written through the project's models in the scratch
database: the demo data, ten invited agencies, a manager, a minute-taker, one chair per chair
virtual user and one partner agency user per partner virtual user (each with a confirmed
authenticator app), held discussions whose minutes are approved now (so partners have receipt
links), discussions each chair edits, and discussions each chair approves during the run."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# The invited agencies: the kinds and attendance of tests/minutes/records.py, under names of
# their own (the demo data already has some of those names). All on a secure domain.
AGENCIES = [
    ("Loadshire Children's Social Care", "childrens_social_care", "attended"),
    ("Loadshire Constabulary", "police", "attended"),
    ("Loadshire General Hospital", "acute_hospital_trust", "attended"),
    ("Loadshire Health Visiting", "public_health_nursing", "apologies"),
    ("Loadshire Riverside Medical Centre", "gp_practice", "information_only"),
    ("Loadshire Harbour Lane Surgery", "gp_practice", "did_not_attend"),
    ("Loadshire Millbrook Family Practice", "gp_practice", "did_not_attend"),
    ("Loadshire Housing Options", "housing", "apologies"),
    ("Loadshire Saltmarsh Primary School", "education", "attended"),
    ("Loadshire Probation", "probation", "information_only"),
]


@dataclass
class Person:
    username: str
    totp_key: str  # hex, as TOTPDevice.key
    agency_id: int | None = None


@dataclass
class ChairPlan:
    person: Person
    approved: list[int] = field(default_factory=list)  # minutes approved at set-up
    editable: list[int] = field(default_factory=list)  # analysis edited during the run
    to_approve: list[int] = field(default_factory=list)  # minutes approved during the run


@dataclass
class World:
    password: str
    chairs: list[ChairPlan]
    partners: list[Person]
    agency_ids: list[int]
    approved_versions: int


def _person(username: str, role: str, password_hash: str, **extra: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.models import User

    first, _, last = username.partition(".")
    user = User.objects.create(
        username=username,
        password=password_hash,
        role=role,
        first_name=first.capitalize(),
        last_name=f"Loadtest {last}",
        email=f"{username}@loadshire.gov.uk",
        **extra,
    )
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def _held(number: int, chair: Any, team: Any, minute_taker: Any, agencies: list[Any]) -> Any:
    """A held discussion with its outcome recorded and the ten agencies invited."""
    from django.utils import timezone

    from strategy.models import Child, ChildDecision, Discussion, Invitee

    held_at = timezone.now() - timedelta(hours=2)
    discussion = Discussion.objects.create(
        reference=f"SD-2026-L{number:04d}",
        format="video",
        urgency="immediate",
        scheduled_for=held_at,
        held_at=held_at,
        reason="Fictional: bruising to a baby, seen at a health visit.",
        team=team,
        chair=chair,
        minute_taker=minute_taker,
        created_by=chair,
        outcome_recorded_at=held_at,
        worries="A baby with an unexplained bruise.",
        working_well="Mother engaged with the health visitor.",
    )
    child = Child.objects.create(
        discussion=discussion,
        first_name="Rowan",
        last_name=f"Loadcase{number}",
        date_of_birth=date(2026, 1, 5),
        needs="A baby, not yet mobile.",
    )
    ChildDecision.objects.create(
        child=child,
        threshold_met=True,
        rationale="Unexplained bruising to a non-mobile baby.",
        outcomes=["s47_joint"],
        decided_by=chair,
    )
    Invitee.objects.bulk_create(
        Invitee(
            discussion=discussion,
            agency=agency,
            attendance=attendance,
            why_invited="Statutory partner",
            information_shared=f"{agency.name} shared what it knows of the family.",
        )
        for agency, (_, _, attendance) in zip(agencies, AGENCIES, strict=True)
    )
    return discussion


def build_world(
    *, chairs: int, partners: int, approved: int, editable_per_chair: int, to_approve: int
) -> World:
    """Writes everything and approves `approved` discussions' minutes: each approval publishes
    its render_version task to the broker, for the worker to render and send."""
    import secrets

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from agencies.models import Agency, Team
    from minutes.services.drafting import minutes_approve, minutes_draft

    call_command("load_demo_data", stdout=io.StringIO())
    password = secrets.token_urlsafe(18)
    password_hash = make_password(password)  # hashed once: every bench user has it
    agencies = [
        Agency.objects.create(
            name=name,
            kind=kind,
            secure_email=f"minutes.{i}@loadshire.gov.uk",
            phone="01632 960999",
        )
        for i, (name, kind, _) in enumerate(AGENCIES)
    ]
    team = Team.objects.create(name="Loadshire Assessment Team", agency=agencies[0])
    manager = _person("load.manager", "manager", password_hash, team=team, agency=agencies[0])
    minute_taker = _person("load.minutes", "minute_taker", password_hash, team=team)
    plans = []
    for i in range(chairs):
        user = _person(f"load.chair{i + 1:02d}", "chair", password_hash, team=team, manager=manager)
        plans.append((user, ChairPlan(Person(user.username, _key(user)))))
    partner_people = []
    for i in range(partners):
        agency = agencies[i % len(agencies)]
        user = _person(f"load.partner{i + 1:02d}", "partner", password_hash, agency=agency)
        partner_people.append(Person(user.username, _key(user), agency.pk))

    number = 0

    def next_discussion(chair: Any) -> Any:
        nonlocal number
        number += 1
        return _held(number, chair, team, minute_taker, agencies)

    for i in range(approved):
        user, plan = plans[i % chairs]
        discussion = next_discussion(user)
        version = minutes_draft(discussion=discussion, user=user)
        minutes_approve(version_id=version.pk, approved_by=user)  # autocommit: publishes
        plan.approved.append(discussion.pk)
    for user, plan in plans:
        plan.editable = [next_discussion(user).pk for _ in range(editable_per_chair)]
    for i in range(to_approve):
        user, plan = plans[i % chairs]
        plan.to_approve.append(next_discussion(user).pk)
    return World(
        password=password,
        chairs=[plan for _, plan in plans],
        partners=partner_people,
        agency_ids=[a.pk for a in agencies],
        approved_versions=approved,
    )


def _key(user: Any) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return str(TOTPDevice.objects.get(user=user).key)


def receipt_path(delivery_id: int, version_id: int) -> str:
    from django.urls import reverse

    from minutes.receipts_links import receipt_token

    token = receipt_token(delivery_id=delivery_id, version_id=version_id)
    return reverse("minutes:receipt", args=[token])
