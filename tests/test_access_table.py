"""Walks every URL pattern in the project as every role and checks docs/access.md."""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from minutes.models import Delivery, MinutesVersion
from minutes.receipts_links import receipt_token
from strategy.models import Action, Adult, AgencyPosition, Child, ChildDecision, Invitee
from tests.factories import AgencyFactory, ContactFactory, TeamFactory, UserFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client

TABLE = Path(__file__).resolve().parents[1] / "docs" / "access.md"
COLUMNS = ["signed out", "chair", "minute-taker", "manager", "partner", "administrator"]


def auditor_table() -> dict[str, str]:
    """The auditors' section: every view they may open; any other answers 404."""
    text = TABLE.read_text().split("## Auditors", 1)[1]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and re.fullmatch(r"[\w:*]+", cells[0]) and cells[0] != "view":
            rows[cells[0]] = cells[1]
    return rows


def access_table() -> dict[str, dict[str, str]]:
    rows = {}
    for line in TABLE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[\w:*]+", cells[0]) and cells[0] != "view":
            rows[cells[0]] = dict(zip(COLUMNS, cells[1:], strict=True))
    return rows


def url_patterns(patterns=None, namespace=""):  # noqa: ANN001, ANN201
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            yield from url_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def row_for(name: str, table: dict[str, dict[str, str]]) -> dict[str, str] | None:
    if name in table:
        return table[name]
    return table.get(name.split(":")[0] + ":*")


@dataclass
class World:
    people: dict[str, object]
    others: dict[str, object]
    kwargs: dict[str, dict[str, object]]


@pytest.fixture
def world(settings, tmp_path, django_capture_on_commit_callbacks) -> World:
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    sent = record.discussion
    chair, minute_taker = sent.chair, sent.minute_taker
    from minutes.services.drafting import minutes_approve, minutes_draft

    version = minutes_draft(discussion=sent, user=chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=chair)
    version = MinutesVersion.objects.get(pk=version.pk)
    delivery = Delivery.objects.get(version=version, agency__name="Eastmere Constabulary")

    # A second discussion by the same chair, still being recorded.
    from strategy.models import Discussion

    open_one = Discussion.objects.create(
        reference="SD-2026-00078",
        format="phone",
        urgency="planned",
        scheduled_for=timezone.now() - timedelta(hours=1),
        reason="Fictional",
        team=sent.team,
        chair=chair,
        minute_taker=minute_taker,
        created_by=chair,
    )
    child = Child.objects.create(
        discussion=open_one,
        first_name="Sky",
        last_name="Testcase",
        date_of_birth="2019-01-01",
        needs="x",
    )
    adult = Adult.objects.create(discussion=open_one, name="Pat Testcase", relationship="mother")
    police = Invitee.objects.create(
        discussion=open_one, agency=delivery.agency, attendance="attended"
    )
    decision = ChildDecision.objects.create(
        child=child,
        threshold_met=True,
        rationale="r",
        outcomes=["s47_single"],
        decided_by=chair,
        conference_due_by=timezone.localdate(),
    )
    AgencyPosition.objects.create(
        decision=decision, invitee=police, position="disagrees", reason="r"
    )
    from strategy.services.differences import difference_open

    difference = difference_open(
        discussion=open_one,
        opened_by=chair,
        raised_by="r",
        raised_with="w",
        raised_on=timezone.localdate(),
        issue="i",
    )
    action = Action.objects.create(
        discussion=open_one,
        what="w",
        agency=delivery.agency,
        person="p",
        due_by=timezone.localdate(),
        why="y",
    )
    # The police's own action on the discussion whose minutes reached them.
    sent_action = Action.objects.create(
        discussion=sent,
        what="w",
        agency=delivery.agency,
        person="p",
        due_by=timezone.localdate(),
        why="y",
    )
    from strategy.models import CaseTransfer

    transfer = CaseTransfer.objects.create(
        discussion=open_one,
        receiving_authority=AgencyFactory.create(kind="childrens_social_care"),
        proposed_on=timezone.localdate(),
        recorded_by=chair,
    )
    agency = AgencyFactory()
    contact = ContactFactory(agency=agency)
    team = TeamFactory(agency=sent.team.agency)

    from minutes.case_audit import case_audit_draw

    today = timezone.localdate()
    audit = case_audit_draw(
        start=today - timedelta(days=7), end=today, drawn_by=chair, chosen=[sent.pk]
    )
    people = {
        "chair": chair,
        "minute-taker": minute_taker,
        "manager": record.manager,
        "partner": UserFactory(username="pc", role="partner", agency=delivery.agency),
        "administrator": UserFactory(
            username="ada", role="administrator", is_staff=True, is_superuser=True
        ),
        "auditor": UserFactory(username="audrey", role="auditor"),
    }
    others = {
        "chair": UserFactory(username="nadia", role="chair", team=team),
        "minute-taker": UserFactory(username="mo", role="minute_taker", team=team),
        "partner": UserFactory(username="far", role="partner", agency=AgencyFactory()),
    }
    token = receipt_token(delivery_id=delivery.pk, version_id=version.pk)
    d: dict[str, object] = {"pk": open_one.pk}
    kwargs: dict[str, dict[str, object]] = {
        "agencies:detail": {"pk": agency.pk},
        "agencies:update": {"pk": agency.pk},
        "agencies:deactivate": {"pk": agency.pk},
        "agencies:reactivate": {"pk": agency.pk},
        "agencies:contact_create": {"agency_pk": agency.pk},
        "agencies:contact_update": {"agency_pk": agency.pk, "pk": contact.pk},
        "agencies:contact_deactivate": {"agency_pk": agency.pk, "pk": contact.pk},
        "strategy:child_edit": {**d, "child_pk": child.pk},
        "strategy:adult_edit": {**d, "adult_pk": adult.pk},
        "strategy:child_remove": {**d, "person_pk": child.pk},
        "strategy:adult_remove": {**d, "person_pk": adult.pk},
        "strategy:voice": {**d, "child_pk": child.pk},
        "strategy:decision": {**d, "child_pk": child.pk},
        "strategy:positions": {**d, "child_pk": child.pk},
        "strategy:information": {**d, "invitee_pk": police.pk},
        "strategy:conference_held": {**d, "child_pk": child.pk},
        "strategy:transfer_accept": {**d, "transfer_pk": transfer.pk},
        "strategy:action_remove": {**d, "action_pk": action.pk},
        **{
            f"strategy:{name}": {**d, "difference_pk": difference.pk}
            for name in (
                "difference",
                "difference_stage",
                "difference_escalate",
                "difference_resolve",
            )
        },
        "strategy:action_done": {**d, "action_pk": action.pk},
        "minutes:partner_action_done": {"pk": sent_action.pk},
        "minutes:receipt": {"token": token},
        "minutes:workspace": {"pk": sent.pk},
        "minutes:approve": {"pk": sent.pk},
        "minutes:amend": {"pk": sent.pk},
        "minutes:version": {"pk": version.pk},
        "minutes:version_pdf": {"pk": version.pk},
        "minutes:render_retry": {"pk": version.pk},
        "minutes:revoke": {"pk": delivery.pk},
        "minutes:partner_confirm": {"pk": delivery.pk},
        "minutes:partner_difference": {"pk": delivery.pk},
        "dashboards:list": {"slug": "minutes-overdue"},
        "dashboards:case_audit": {"pk": audit.pk},
        "dashboards:case_audit_csv": {"pk": audit.pk},
        "dashboards:case_audit_letters": {"pk": audit.pk},
        "dashboards:case_audit_pdf": {"pk": audit.pk},
        "dashboards:case_audit_item": {"pk": audit.pk, "item_pk": audit.items.get().pk},
        "dashboards:list_csv": {"slug": "minutes-overdue"},
    }
    return World(people=people, others=others, kwargs={"_discussion": d, **kwargs})


def url_for(name: str, pattern: URLPattern, world: World) -> str | None:
    if name.startswith("admin:"):
        if pattern.pattern.regex.groupindex:
            return None  # object pages: the index and list pages stand for them
        return reverse(name)
    wanted = set(pattern.pattern.regex.groupindex)
    kwargs = world.kwargs.get(name) or (world.kwargs["_discussion"] if wanted == {"pk"} else {})
    return reverse(name, kwargs=kwargs)


def outcome(client: Client, url: str, user_role: str) -> str:
    """no (404), sign in (sent to the sign-in page), or yes (anything else: the page, a
    redirect after the action, or a refusal of a malformed request by a view the person may
    use). A POST-only view is asked with a POST, since a GET stops at 405 before any check."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    if response.status_code == 404:
        return "no"
    if response.status_code == 302 and response["Location"].startswith("/sign-in/"):
        return "sign in" if user_role == "signed out" else "yes"
    return "yes"


def client_as(user) -> Client:  # noqa: ANN001
    return Client() if user is None else verified_client(user)


@pytest.mark.django_db
def test_every_url_pattern_has_a_row_and_answers_as_the_table_says(world):
    table = access_table()
    patterns = list(url_patterns())
    missing = sorted({name for name, _ in patterns if row_for(name, table) is None})
    assert missing == [], f"URL patterns without a row in docs/access.md: {missing}"

    problems = []
    for name, pattern in patterns:
        url = url_for(name, pattern, world)
        if url is None:
            continue
        row = row_for(name, table)
        assert row is not None
        for role in COLUMNS:
            expected = row[role]
            user = None if role == "signed out" else world.people[role]
            got = outcome(client_as(user), url, role)
            # A probe answers anyone; metrics answer no one without the token (tests/operations).
            wanted = {"own": "yes", "link": "yes", "probe": "yes", "token": "no"}.get(
                expected, expected
            )
            if got != wanted:
                problems.append(f"{name} as {role}: table says {expected}, got {got}")
            if expected == "own" and role in world.others:
                other = outcome(client_as(world.others[role]), url, role)
                if other != "no":
                    problems.append(f"{name} as another {role}: expected no, got {other}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_an_auditor_reads_and_changes_nothing(world):
    """Audrey, on the partnership's audit group, opens only what the auditors' table lists;
    every other page and every action answers 404."""
    allowed = auditor_table()
    problems = []
    for name, pattern in url_patterns():
        url = url_for(name, pattern, world)
        if url is None:
            continue
        listed = allowed.get(name) or allowed.get(name.split(":")[0] + ":*", "no")
        wanted = {"link": "yes"}.get(listed, listed)
        got = outcome(client_as(world.people["auditor"]), url, "auditor")
        if got != wanted:
            problems.append(f"{name} as auditor: table says {wanted}, got {got}")
    assert not problems, "\n".join(problems)
