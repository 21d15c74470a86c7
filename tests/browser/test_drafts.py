"""Typed work survives a session that ends mid-form: the form is restored after signing in."""

import pytest
from playwright.sync_api import expect

from strategy.models import Discussion
from tests.browser.conftest import assert_accessible, complete_sign_in, sign_in
from tests.minutes.records import held_discussion

pytestmark = pytest.mark.browser

WORRIES = "Baby seen with a bruise to the ear; mother's account keeps changing."


@pytest.mark.django_db(transaction=True)
def test_a_timed_out_session_keeps_what_was_typed(page):
    record = held_discussion(agencies=2)
    discussion = record.discussion
    discussion.outcome_recorded_at = None
    discussion.save()
    sign_in(page, "chris")
    page.goto(f"/discussions/{discussion.pk}/analysis/")
    page.get_by_label("What are we worried about?").fill(WORRIES)

    # The session ends while the chair is typing (timeout, or signed out elsewhere).
    cookies = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
    page.get_by_role("button", name="Save analysis").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    discussion.refresh_from_db()
    assert discussion.worries == ""

    complete_sign_in(page, "chris")
    # Back on the same form, with the typing restored and a banner saying so.
    expect(page.get_by_label("What are we worried about?")).to_have_value(WORRIES)
    expect(page.get_by_text("We kept what you typed before.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Save analysis").click()
    expect(page.get_by_text("Analysis saved")).to_be_visible()
    assert Discussion.objects.get(pk=discussion.pk).worries == WORRIES

    # Once saved, the draft is gone: the form shows what the server holds, no banner.
    page.goto(f"/discussions/{discussion.pk}/analysis/")
    expect(page.get_by_label("What are we worried about?")).to_have_value(WORRIES)
    expect(page.get_by_text("We kept what you typed before.")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_typing_on_one_device_is_offered_back_on_another(page):
    from strategy.models import FormDraft

    record = held_discussion(agencies=2)
    discussion = record.discussion
    discussion.outcome_recorded_at = None
    discussion.save()
    sign_in(page, "chris")
    page.goto(f"/discussions/{discussion.pk}/analysis/")
    page.get_by_label("What are we worried about?").fill(WORRIES)
    # A few seconds after typing stops, the draft is kept on the server.
    for _ in range(40):
        if FormDraft.objects.filter(path=f"/discussions/{discussion.pk}/analysis/").exists():
            break
        page.wait_for_timeout(250)
    assert FormDraft.objects.get().values["worries"] == WORRIES

    # The same chair on another device (a new browser, nothing in its tab).
    other = page.context.browser.new_context(base_url=page.url.split("/discussions/")[0])
    tablet = other.new_page()
    sign_in(tablet, "chris")
    tablet.goto(f"/discussions/{discussion.pk}/analysis/")
    expect(tablet.get_by_label("What are we worried about?")).to_have_value(WORRIES)
    expect(tablet.get_by_text("We kept what you typed before.")).to_be_visible()
    assert_accessible(tablet)
    tablet.get_by_role("button", name="Save analysis").click()
    expect(tablet.get_by_text("Analysis saved")).to_be_visible()
    assert Discussion.objects.get(pk=discussion.pk).worries == WORRIES
    assert not FormDraft.objects.exists()
    other.close()


@pytest.mark.django_db(transaction=True)
def test_what_an_agency_shared_is_kept_as_a_draft_like_any_section(page):
    from strategy.models import FormDraft, Invitee

    record = held_discussion(agencies=2)
    discussion = record.discussion
    police = Invitee.objects.get(discussion=discussion, agency__name="Eastmere Constabulary")
    path = f"/discussions/{discussion.pk}/attendance/{police.pk}/information/"
    said = "Fictional: a 2024 arrest for assault on a former partner."
    sign_in(page, "chris")
    page.goto(path)
    page.get_by_label("Information shared").fill(said)
    for _ in range(40):
        if FormDraft.objects.filter(path=path).exists():
            break
        page.wait_for_timeout(250)
    assert FormDraft.objects.get().values["information_shared"] == said

    other = page.context.browser.new_context(base_url=page.url.split("/discussions/")[0])
    tablet = other.new_page()
    sign_in(tablet, "chris")
    tablet.goto(path)
    expect(tablet.get_by_label("Information shared")).to_have_value(said)
    expect(tablet.get_by_text("We kept what you typed before.")).to_be_visible()
    assert_accessible(tablet)
    tablet.get_by_role("button", name="Save information shared").click()
    expect(tablet.get_by_text("Information shared by Eastmere Constabulary saved")).to_be_visible()
    police.refresh_from_db()
    assert police.information_shared == said
    assert not FormDraft.objects.exists()
    other.close()
