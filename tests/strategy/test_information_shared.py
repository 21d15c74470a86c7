"""Attendance as one short row per agency, and what each agency shared on a page of its own:
saved as a section of its own (no collision with attendance or another agency), taken in the
order of the call, kept by drafts, and only by the discussion's recorders while it is open."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy.models import Attendance, Discussion, FormDraft, Invitee
from strategy.services.recording import attendance_record
from strategy.task_list import discussion_tasks
from tests.factories import UserFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client
from tests.strategy.test_less_typing import attendance_data

POLICE_SAID = "Fictional: Sam Otherfield was arrested in 2024 for assault on a former partner."


@pytest.fixture
def record(db):
    """Ten agencies invited: social care, police, hospital and school attended; probation and
    the children's GP sent information only; the rest sent apologies or did not attend."""
    return held_discussion()


def invitee(record, name: str) -> Invitee:
    return record.discussion.invitees.get(agency__name=name)


def information_url(record, name: str) -> str:
    return reverse("strategy:information", args=[record.discussion.pk, invitee(record, name).pk])


def post_information(client, record, name: str, **fields):  # noqa: ANN001, ANN201
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    return client.post(
        information_url(record, name),
        {"revision": discussion.revision, "information_shared": "", "scaling": "", **fields},
    )


# -- The attendance page: one short row per agency. ---------------------------------------


def test_each_agency_has_only_attendance_who_took_part_and_a_link_to_what_it_shared(record):
    police = invitee(record, "Eastmere Constabulary")
    Invitee.objects.filter(pk=police.pk).update(information_shared=POLICE_SAID, scaling=3)
    page = verified_client(record.chair).get(
        reverse("strategy:attendance", args=[record.discussion.pk])
    )
    assert page.status_code == 200
    fields = set(page.context["form"].fields)
    assert {f"i{police.pk}_attendance", f"i{police.pk}_representative"} <= fields
    assert not [name for name in fields if "information" in name or "scaling" in name]
    assert 'class="govuk-radios--inline govuk-radios--small"' in page.text
    # The police's row says what is recorded and links to change it; the others to add it.
    assert "Information shared: recorded, scaling 3 out of 10." in page.text
    assert f'href="{information_url(record, "Eastmere Constabulary")}">Change' in page.text
    hospital = information_url(record, "Eastmere General Hospital")
    assert f'href="{hospital}">Add information shared' in page.text
    assert "Information shared by Eastmere General Hospital" not in page.text  # a page apart


def test_saving_attendance_keeps_what_each_agency_shared(record):
    police = invitee(record, "Eastmere Constabulary")
    Invitee.objects.filter(pk=police.pk).update(information_shared=POLICE_SAID, scaling=3)
    discussion = record.discussion
    response = verified_client(record.chair).post(
        reverse("strategy:attendance", args=[discussion.pk]),
        attendance_data(
            discussion,
            all_attended="on",
            **{f"i{police.pk}_representative": "DS Priya Wrenfield"},
        ),
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.representative == "DS Priya Wrenfield"
    assert (police.information_shared, police.scaling) == (POLICE_SAID, 3)


def test_save_and_record_information_goes_to_the_first_agency_that_took_part(record):
    discussion = record.discussion
    Invitee.objects.filter(discussion=discussion).update(attendance=Attendance.INVITED)
    social_care = invitee(record, "Eastmere Children's Social Care")
    response = verified_client(record.chair).post(
        reverse("strategy:attendance", args=[discussion.pk]),
        attendance_data(
            discussion,
            all_attended="on",
            another="1",
            **{f"i{social_care.pk}_attendance": Attendance.DID_NOT_ATTEND},
        ),
    )
    # Social care did not attend after all: the first in the list that did is the police.
    assert response["Location"] == information_url(record, "Eastmere Constabulary")


# -- The information page. ------------------------------------------------------------------


def test_the_recorder_saves_what_an_agency_shared_and_returns_to_attendance(record):
    client = verified_client(record.discussion.minute_taker)
    page = client.get(information_url(record, "Eastmere Constabulary"))
    assert page.status_code == 200
    assert "Information shared by Eastmere Constabulary" in page.text
    response = post_information(
        client, record, "Eastmere Constabulary", information_shared=POLICE_SAID, scaling="3"
    )
    police = invitee(record, "Eastmere Constabulary")
    assert response["Location"] == (
        reverse("strategy:attendance", args=[record.discussion.pk]) + f"#agency-{police.pk}"
    )
    assert (police.information_shared, police.scaling) == (POLICE_SAID, 3)
    follow = client.get(response["Location"])
    assert "Information shared by Eastmere Constabulary saved" in follow.text
    assert "Information shared: recorded, scaling 3 out of 10." in follow.text
    # What the final outcome attests changed: the chair confirms it again.
    assert Discussion.objects.get(pk=record.discussion.pk).outcome_recorded_at is None
    summary = client.get(reverse("strategy:summary", args=[record.discussion.pk]))
    assert "Eastmere Constabulary (scaling 3 out of 10)" in summary.text
    assert POLICE_SAID in summary.text


@pytest.mark.parametrize(
    ("scaling", "error"),
    [
        ("eleven", "Scaling must be a whole number from 0 to 10"),
        ("11", "Scaling must be between 0 and 10"),
    ],
)
def test_a_wrong_scaling_is_an_error_and_nothing_is_saved(record, scaling, error):
    response = post_information(
        verified_client(record.chair),
        record,
        "Eastmere Constabulary",
        information_shared=POLICE_SAID,
        scaling=scaling,
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert error in response.text
    assert POLICE_SAID in response.text  # what was typed is kept
    police = invitee(record, "Eastmere Constabulary")
    assert (police.information_shared, police.scaling) == ("", None)
    assert Discussion.objects.get(pk=record.discussion.pk).outcome_recorded_at is not None


def test_save_and_go_on_takes_the_agencies_that_took_part_in_turn(record):
    client = verified_client(record.chair)
    page = client.get(information_url(record, "Eastmere General Hospital")).text
    # After the hospital: health visiting and housing sent apologies; probation sent a report.
    assert "Save and go to Eastmere Probation" in page
    response = post_information(
        client, record, "Eastmere General Hospital", information_shared="Seen in A&E.", another="1"
    )
    assert response["Location"] == information_url(record, "Eastmere Probation")
    last = client.get(information_url(record, "Saltmarsh Primary School")).text
    assert "Save and go to" not in last


def test_save_and_continue_goes_on_to_the_section_after_attendance(record):
    discussion = record.discussion
    discussion.outcome_recorded_at = None
    discussion.save()
    response = post_information(
        verified_client(record.chair),
        record,
        "Saltmarsh Primary School",
        information_shared="Ada is often hungry.",
        **{"continue": "1"},
    )
    assert response["Location"] == reverse("strategy:analysis", args=[discussion.pk])


def test_the_task_list_counts_what_was_shared(record):
    police = invitee(record, "Eastmere Constabulary")
    Invitee.objects.filter(pk=police.pk).update(information_shared=POLICE_SAID)
    tasks = {t.key: t for g in discussion_tasks(record.discussion) for t in g.tasks}
    assert tasks["attendance"].hint == (
        "4 of 10 agencies attended; information shared recorded for 1"
    )
    assert information_url(record, "Eastmere Constabulary") in tasks["attendance"].also


# -- One section per agency: no collisions with attendance or another agency. --------------


def test_agencies_and_attendance_saved_from_the_same_page_load_do_not_collide(record):
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    opened_at = discussion.revision
    chair, minute_taker = (
        verified_client(record.chair),
        verified_client(record.discussion.minute_taker),
    )
    police = invitee(record, "Eastmere Constabulary")
    rows = {
        i.pk: {"attendance": i.attendance, "representative": "Someone"}
        for i in discussion.invitees.all()
    }
    attendance_record(
        discussion=discussion, expected_revision=opened_at, held_at=discussion.held_at, rows=rows
    )
    for client, name in (
        (chair, "Eastmere Constabulary"),
        (minute_taker, "Saltmarsh Primary School"),
    ):
        response = client.post(
            information_url(record, name),
            {"revision": opened_at, "information_shared": f"{name} shared this.", "scaling": ""},
        )
        assert response.status_code == 302, response.text[:2000]
    police.refresh_from_db()
    assert police.information_shared == "Eastmere Constabulary shared this."
    assert police.representative == "Someone"  # attendance's save is kept too


def test_two_saves_of_the_same_agency_from_the_same_page_load_collide(record):
    opened_at = Discussion.objects.get(pk=record.discussion.pk).revision
    url = information_url(record, "Eastmere Constabulary")
    first = verified_client(record.discussion.minute_taker).post(
        url, {"revision": opened_at, "information_shared": POLICE_SAID, "scaling": "3"}
    )
    assert first.status_code == 302
    second = verified_client(record.chair).post(
        url, {"revision": opened_at, "information_shared": "The chair's version.", "scaling": ""}
    )
    assert second.status_code == 200
    assert "Someone else saved this discussion" in second.text
    assert POLICE_SAID in second.text  # what the other person saved, to compare
    assert invitee(record, "Eastmere Constabulary").information_shared == POLICE_SAID


# -- Who may, and when. -------------------------------------------------------------------


def test_another_discussions_agency_is_not_found(record):
    other = Discussion.objects.create(
        reference="SD-2026-00078",
        format="phone",
        urgency="planned",
        scheduled_for=timezone.now(),
        reason="Fictional",
        team=record.discussion.team,
        chair=record.chair,
        minute_taker=record.discussion.minute_taker,
        created_by=record.chair,
    )
    police = invitee(record, "Eastmere Constabulary")
    url = reverse("strategy:information", args=[other.pk, police.pk])
    client = verified_client(record.chair)
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"revision": other.revision, "information_shared": "x"}).status_code == 404
    )
    assert invitee(record, "Eastmere Constabulary").information_shared == ""


@pytest.mark.parametrize("role", ["chair", "minute_taker", "manager"])
def test_people_who_do_not_record_the_discussion_get_404(record, role):
    someone = verified_client(UserFactory(username=f"other-{role}", role=role))
    url = information_url(record, "Eastmere Constabulary")
    assert someone.get(url).status_code == 404
    revision = record.discussion.revision
    assert someone.post(url, {"revision": revision, "information_shared": "x"}).status_code == 404
    assert invitee(record, "Eastmere Constabulary").information_shared == ""


def test_a_locked_record_is_not_changed(record):
    Discussion.objects.filter(pk=record.discussion.pk).update(record_locked_at=timezone.now())
    client = verified_client(record.chair)
    url = information_url(record, "Eastmere Constabulary")
    page = client.get(url, follow=True)
    assert page.redirect_chain[-1][0] == reverse("strategy:detail", args=[record.discussion.pk])
    assert "record is locked" in page.text
    response = post_information(client, record, "Eastmere Constabulary", information_shared="x")
    assert response["Location"] == reverse("strategy:detail", args=[record.discussion.pk])
    assert invitee(record, "Eastmere Constabulary").information_shared == ""
    # The task list, read only now, links to no section of the record.
    locked = Discussion.objects.get(pk=record.discussion.pk)
    tasks = {t.key: t for g in discussion_tasks(locked) for t in g.tasks}
    assert tasks["attendance"].href == ""


# -- Drafts kept on the server, as on every other section. ---------------------------------


def test_a_draft_of_the_page_is_kept_offered_back_and_gone_once_saved(record):
    url = information_url(record, "Eastmere Constabulary")
    draft_url = reverse("strategy:draft", args=[record.discussion.pk])
    laptop, tablet = verified_client(record.chair), verified_client(record.chair)
    assert f'data-draft-url="{draft_url}"' in laptop.get(url).text
    kept = laptop.post(
        draft_url,
        json.dumps({"path": url, "values": {"information_shared": POLICE_SAID}}),
        content_type="application/json",
    )
    assert kept.status_code == 204
    offered = tablet.get(draft_url, {"path": url})
    assert offered.json()["values"] == {"information_shared": POLICE_SAID}
    post_information(tablet, record, "Eastmere Constabulary", information_shared=POLICE_SAID)
    assert not FormDraft.objects.exists()


def test_opened_from_the_check_page_every_save_goes_back_there(record):
    client = verified_client(record.chair)
    final = reverse("strategy:final", args=[record.discussion.pk])
    attendance = client.get(
        reverse("strategy:attendance", args=[record.discussion.pk]), {"back": "final"}
    )
    police = information_url(record, "Eastmere Constabulary")
    assert f'href="{police}?back=final"' in attendance.text
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    response = client.post(
        police + "?back=final",
        {"revision": discussion.revision, "information_shared": POLICE_SAID, "scaling": ""},
    )
    assert response["Location"] == final


def test_an_agency_name_is_shown_as_text_in_legends_and_labels(record):
    """crispy-forms-gds marks legends and labels safe; the agency's name must not be markup."""
    police = invitee(record, "Eastmere Constabulary")
    police.agency.name = "Eastmere <i onmouseover=alert(1)>Constabulary</i>"
    police.agency.save()
    client = verified_client(record.chair)
    child = record.discussion.children.get()
    for url in (
        reverse("strategy:attendance", args=[record.discussion.pk]),
        reverse("strategy:decision", args=[record.discussion.pk, child.pk]),
        information_url(record, police.agency.name),
    ):
        page = client.get(url).text
        assert "<i onmouseover" not in page, url
        assert "Eastmere &lt;i onmouseover=alert(1)&gt;Constabulary&lt;/i&gt;" in page, url
