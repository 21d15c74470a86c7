"""The discussion's home is a task list: every section in the order of the call, its status
and why, and the way on from each section."""

import re

from django.urls import reverse

from strategy.models import Child, Invitee
from strategy.services.invitees import propose_invitees
from strategy.task_list import Status, discussion_tasks
from tests.factories import AgencyFactory, UserFactory


def tasks_by_key(discussion):
    return {t.key: t for g in discussion_tasks(discussion) for t in g.tasks}


def status_of(page_text: str, key: str) -> str:
    found = re.search(rf'id="{re.escape(key)}-status">\s*(?:<strong[^>]*>)?([^<]+?)\s*<', page_text)
    assert found, key
    return found.group(1).strip()


def invite_everyone_proposed(client, discussion):
    return client.post(
        reverse("strategy:invitees", args=[discussion.pk]),
        {
            "revision": discussion.revision,
            "agencies": [str(p.agency.pk) for p in propose_invitees(discussion)],
        },
        follow=True,
    )


def test_sections_are_listed_in_the_order_of_the_call_with_their_status(
    discussion, chair, client_for
):
    page = client_for(chair).get(reverse("strategy:detail", args=[discussion.pk]))
    assert page.status_code == 200
    assert 'class="govuk-task-list"' in page.text
    order = [
        "Discussion details",
        "Children",
        "Household and significant adults",
        "Choose invitees",
        "Attendance and information shared",
        "Analysis",
        "Voice of Ada Testcase",
        "Decision for Ada Testcase",
        "Actions",
        "Contingency and what the family is told",
        "Record the outcome as final",
        "Approve and send the minutes",
    ]
    tasks = page.text[page.text.index('class="govuk-task-list"') :]
    positions = [tasks.index(title) for title in order]
    assert positions == sorted(positions)
    assert status_of(page.text, "details") == "Completed"
    assert status_of(page.text, "invitees") == "Not yet started"
    assert status_of(page.text, "attendance") == "Cannot start yet"
    assert "Choose invitees first" in page.text
    assert status_of(page.text, "outcome") == "Cannot start yet"
    # No link to a section that cannot start yet.
    assert reverse("strategy:attendance", args=[discussion.pk]) not in page.text


def test_missing_partner_warnings_wait_for_the_invite_list_and_go_when_it_is_complete(
    discussion, chair, county, client_for
):
    client = client_for(chair)
    detail = reverse("strategy:detail", args=[discussion.pk])
    assert "Not invited and no reason recorded" not in client.get(detail).text

    page = invite_everyone_proposed(client, discussion)
    assert page.redirect_chain[-1][0] == detail + "#invitees"
    assert status_of(page.text, "invitees") == "Completed"
    assert "Not invited and no reason recorded" not in page.text

    # A child's GP added after the invitations is a gap: the task is in progress again.
    new_gp = AgencyFactory.create(name="Seaview Surgery", kind="gp_practice")
    Child.objects.create(
        discussion=discussion,
        first_name="Dee",
        last_name="Testcase",
        date_of_birth="2018-01-01",
        needs="x",
        gp_practice=new_gp,
    )
    page = client.get(detail)
    assert status_of(page.text, "invitees") == "In progress"
    assert "Not invited and no reason recorded: Seaview Surgery" in page.text

    discussion.refresh_from_db()
    invite_everyone_proposed(client, discussion)
    assert tasks_by_key(discussion)["invitees"].warnings == []


def test_attendance_and_decision_statuses_follow_the_record(discussion, chair, client_for):
    client = client_for(chair)
    invite_everyone_proposed(client, discussion)
    tasks = tasks_by_key(discussion)
    assert tasks["attendance"].status == Status.NOT_STARTED
    invitees = list(discussion.invitees.all())
    Invitee.objects.filter(pk=invitees[0].pk).update(attendance="attended")
    tasks = tasks_by_key(discussion)
    assert tasks["attendance"].status == Status.IN_PROGRESS
    assert "Attendance not recorded for" in tasks["attendance"].hint
    discussion.invitees.exclude(pk=invitees[0].pk).update(attendance="did_not_attend")
    assert tasks_by_key(discussion)["attendance"].status == Status.COMPLETED

    ada = discussion.children.get(first_name="Ada")
    from strategy.models import ChildDecision

    ChildDecision.objects.create(
        child=ada, threshold_met=True, rationale="r", outcomes=["s47_joint"], decided_by=chair
    )
    task = tasks_by_key(discussion)[f"decision-{ada.pk}"]
    assert task.status == Status.IN_PROGRESS
    assert task.hint.startswith("No position yet from")
    assert task.href == reverse("strategy:decision", args=[discussion.pk, ada.pk])


def test_a_section_returns_to_the_task_list_and_save_and_continue_goes_on(
    discussion, chair, client_for
):
    client = client_for(chair)
    url = reverse("strategy:analysis", args=[discussion.pk])
    form = client.get(url)
    assert ">Save and continue</button>" in form.text
    back = client.post(url, {"revision": discussion.revision, "worries": "w", "working_well": "ww"})
    assert back["Location"] == reverse("strategy:detail", args=[discussion.pk]) + "#analysis"

    discussion.refresh_from_db()
    on = client.post(
        url,
        {"revision": discussion.revision, "worries": "w2", "working_well": "ww", "continue": "1"},
    )
    first_child = discussion.children.order_by("pk").first()
    assert on["Location"] == reverse("strategy:voice", args=[discussion.pk, first_child.pk])
    discussion.refresh_from_db()
    assert discussion.worries == "w2"


def test_the_full_record_is_its_own_page_with_the_messages_sent(discussion, chair, client_for):
    client = client_for(chair)
    invite_everyone_proposed(client, discussion)
    page = client.get(reverse("strategy:detail", args=[discussion.pk]))
    assert reverse("strategy:summary", args=[discussion.pk]) in page.text
    summary = client.get(reverse("strategy:summary", args=[discussion.pk]))
    assert summary.status_code == 200
    assert "Messages sent about this discussion" in summary.text
    assert "Ada Testcase" in summary.text


def test_readers_see_statuses_without_links_to_change_anything(discussion, client_for):
    manager = UserFactory(username="maya", role="manager")
    page = client_for(manager).get(reverse("strategy:detail", args=[discussion.pk]))
    assert page.status_code == 200
    assert "govuk-task-list__link" not in page.text
    assert "Choose invitees" in page.text
