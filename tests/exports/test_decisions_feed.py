"""The decisions feed for case management: one row per child decision held in the period."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from minutes.exports.decisions import DECISION_COLUMNS
from strategy.models import Child, ChildDecision, Discussion
from tests.exports.conftest import LONDON
from tests.factories import UserFactory

PERIOD = {"start_0": "1", "start_1": "11", "start_2": "2026", "end_0": "30", "end_1": "11"}
PERIOD["end_2"] = "2026"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def outside_the_period(recorded, chair):
    """A discussion held on 2 December, after the period, with a decision for its child."""
    held = datetime(2026, 12, 2, 14, 0, tzinfo=LONDON)
    later = Discussion.objects.create(
        reference="SD-2026-00999",
        format="phone",
        urgency="planned",
        scheduled_for=held,
        held_at=held,
        reason="Fictional: another family.",
        team=recorded.team,
        chair=chair,
        minute_taker=recorded.minute_taker,
        created_by=chair,
    )
    child = Child.objects.create(
        discussion=later, first_name="Eli", last_name="Laterday", needs="Fictional."
    )
    ChildDecision.objects.create(
        child=child, threshold_met=False, rationale="No harm.", outcomes=[], decided_by=chair
    )
    return later


@pytest.fixture
def manager(db):
    return UserFactory(username="maya", role="manager")


def test_the_csv_has_one_row_per_child_decision_held_in_the_period(
    recorded, outside_the_period, manager, client_for
):
    Child.objects.filter(first_name="Baby").update(nhs_number="9434765919")
    recorded.minutes_distributed_at = datetime(2026, 11, 23, 18, 0, tzinfo=LONDON)
    recorded.save()
    response = client_for(manager).get(reverse("dashboards:decisions_csv"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].split(",") == list(DECISION_COLUMNS)
    rows = _rows(text)
    assert [(r["Child first name"], r["Discussion reference"]) for r in rows] == [
        ("Ada", recorded.reference),
        ("Baby", recorded.reference),
    ]
    ada, baby = rows
    assert ada["Date held"] == "2026-11-23"
    assert ada["Team"] == "Eastmere North Assessment Team"
    assert ada["Date of birth"] == "2020-05-01"
    assert ada["Further discussion on"] == "2026-12-01"
    assert ada["Outcomes"] == (
        "Section 17 child and family assessment; Further strategy discussion"
    )
    assert baby["NHS number"] == "9434765919"
    assert baby["Section 47 threshold met"] == "Yes"
    assert baby["Initial child protection conference due by"] == "2026-12-14"
    assert baby["Minutes sent"] == "2026-11-23"


def test_the_command_writes_the_same_rows(recorded, outside_the_period):
    out = io.StringIO()
    call_command("export_decisions", "--from", "2026-12-01", "--to", "2026-12-31", stdout=out)
    rows = _rows(out.getvalue())
    assert [(r["Child first name"], r["Section 47 threshold met"]) for r in rows] == [("Eli", "No")]
    assert rows[0]["Minutes sent"] == ""


def test_a_discussion_not_yet_held_is_not_in_the_feed(discussion, chair):
    ChildDecision.objects.create(
        child=discussion.children.first(),
        threshold_met=True,
        rationale="Fictional.",
        outcomes=["s47_single"],
        decided_by=chair,
    )
    today = timezone.localdate()
    out = io.StringIO()
    call_command(
        "export_decisions",
        "--from",
        str(today - timedelta(days=3650)),
        "--to",
        str(today + timedelta(days=3650)),
        stdout=out,
    )
    assert _rows(out.getvalue()) == []


def test_a_name_that_looks_like_a_formula_is_neutralised(recorded, manager, client_for):
    Child.objects.filter(first_name="Ada").update(first_name="=HYPERLINK(1)")
    response = client_for(manager).get(reverse("dashboards:decisions_csv"), PERIOD)
    rows = _rows(b"".join(response.streaming_content).decode())
    assert rows[0]["Child first name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("role", ["chair", "minute_taker", "auditor"])
def test_only_managers_and_administrators_see_the_feed(recorded, client_for, role):
    someone = UserFactory(username=f"someone-{role}", role=role, team=recorded.team)
    for name in ("dashboards:decisions", "dashboards:decisions_csv"):
        assert client_for(someone).get(reverse(name), PERIOD).status_code == 404


def test_the_page_counts_the_decisions_and_links_the_download(recorded, manager, client_for):
    response = client_for(manager).get(reverse("dashboards:decisions"), PERIOD)
    assert response.status_code == 200
    assert "2 decisions in discussions held from 1 November 2026 to 30 November 2026" in (
        response.text
    )
    assert reverse("dashboards:decisions_csv") in response.text
    dashboard = client_for(manager).get(reverse("dashboards:index"))
    assert reverse("dashboards:decisions") in dashboard.text


def test_a_period_ending_before_it_starts_is_explained(manager, client_for):
    period = {**PERIOD, "end_0": "1", "end_1": "10"}
    response = client_for(manager).get(reverse("dashboards:decisions_csv"), period)
    assert response.status_code == 200
    assert "There is a problem" in response.text


def test_the_command_refuses_a_date_it_cannot_read(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("export_decisions", "--from", "1/11/2026", "--to", "2026-11-30")
    with pytest.raises(CommandError, match="--to must be"):
        call_command(
            "export_decisions", "--from", date(2026, 11, 30).isoformat(), "--to", "2026-11-01"
        )
