"""Recording the outcome as final goes through a check of the whole record, then a confirm."""

from django.urls import reverse

from minutes.models import Delivery, MinutesVersion
from outbox.models import Message
from strategy.models import AgencyPosition, ChildDecision, Invitee


def ready(discussion, county, chair):
    """Invited, attended, a decision for each child, every attending agency agreeing."""
    invitees = [
        Invitee.objects.create(
            discussion=discussion,
            agency=county[key],
            attendance="attended",
            representative=f"Rep of {key}",
        )
        for key in ("police", "social_care", "hospital")
    ]
    for child in discussion.children.all():
        decision = ChildDecision.objects.create(
            child=child,
            threshold_met=True,
            rationale="Bruising to a baby.",
            outcomes=["s47_joint"],
            decided_by=chair,
        )
        for invitee in invitees:
            AgencyPosition.objects.create(decision=decision, invitee=invitee, position="agrees")
    discussion.refresh_from_db()
    return discussion


def test_opening_the_check_page_changes_nothing_and_shows_change_links(
    discussion, county, chair, client_for
):
    ready(discussion, county, chair)
    url = reverse("strategy:final", args=[discussion.pk])
    page = client_for(chair).get(url)
    assert page.status_code == 200
    assert "Check the record before the outcome is final" in page.text
    assert "govuk-summary-list__actions" in page.text
    ada = discussion.children.get(first_name="Ada")
    assert reverse("strategy:decision", args=[discussion.pk, ada.pk]) + "?back=final" in page.text
    assert reverse("strategy:attendance", args=[discussion.pk]) + "?back=final" in page.text
    assert "Eastmere Constabulary: agrees" in page.text
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None


def test_the_chair_confirming_goes_straight_to_checking_the_minutes_and_sends_nothing(
    discussion, county, chair, client_for
):
    ready(discussion, county, chair)
    url = reverse("strategy:final", args=[discussion.pk])
    done = client_for(chair).post(url, {"revision": discussion.revision}, follow=True)
    assert done.redirect_chain == [(reverse("minutes:approve", args=[discussion.pk]), 302)]
    assert "Outcome recorded as final" in done.text
    assert "Check the minutes before you send them" in done.text
    assert ">Approve and send to 3 agencies" in done.text
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is not None
    # Only the button on that page approves: nothing is drafted, locked, owed or sent yet.
    assert discussion.record_locked_at is None
    assert not MinutesVersion.objects.exists()
    assert not Delivery.objects.exists()
    assert not Message.objects.filter(kind__startswith="minutes").exists()


def test_the_minute_taker_confirming_returns_to_the_task_list(
    discussion, county, chair, minute_taker, client_for
):
    """Only the chair approves the minutes: Mina goes back to the task list, as before."""
    ready(discussion, county, chair)
    url = reverse("strategy:final", args=[discussion.pk])
    done = client_for(minute_taker).post(url, {"revision": discussion.revision}, follow=True)
    assert done.redirect_chain == [(reverse("strategy:detail", args=[discussion.pk]), 302)]
    assert "Outcome recorded as final" in done.text
    assert "the chair approves and sends the minutes" in done.text
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is not None
    assert not MinutesVersion.objects.exists()


def test_a_change_link_comes_back_to_the_check_page(discussion, county, chair, client_for):
    ready(discussion, county, chair)
    url = reverse("strategy:analysis", args=[discussion.pk]) + "?back=final"
    client = client_for(chair)
    assert ">Save and continue</button>" not in client.get(url).text
    saved = client.post(url, {"revision": discussion.revision, "worries": "w", "working_well": "x"})
    assert saved["Location"] == reverse("strategy:final", args=[discussion.pk])


def test_an_incomplete_record_cannot_be_confirmed(discussion, chair, client_for):
    page = client_for(chair).get(reverse("strategy:final", args=[discussion.pk]))
    assert "There is a problem" in page.text
    assert "govuk-error-summary" in page.text
    assert ">Record the outcome as final</button>" not in page.text
    refused = client_for(chair).post(
        reverse("strategy:final", args=[discussion.pk]), {"revision": discussion.revision}
    )
    assert "There is a problem" in refused.text
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None


def test_each_childs_identifiers_keep_their_capitals(discussion, county, chair, client_for):
    """ "Born 14 March 2018, NHS number ...": the sentence starts with a capital and the month
    and the NHS keep theirs."""
    ready(discussion, county, chair)
    ada = discussion.children.get(first_name="Ada")
    ada.nhs_number = "9434765919"
    ada.save()
    page = client_for(chair).get(reverse("strategy:final", args=[discussion.pk])).text
    born = ada.date_of_birth
    assert f"Born {born.day} {born:%B %Y}, NHS number 943 476 5919" in page
