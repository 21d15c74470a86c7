"""Signing in, setting up a second factor and the timeout warning, in Chromium, with axe."""

import time
from base64 import b32decode

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django_otp.oath import TOTP
from playwright.sync_api import expect

from agencies.signin import sessions
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_new_chair_sets_up_an_app_and_saves_backup_codes(page):
    UserFactory(username="bob", role="chair")
    page.goto("/discussions/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    app = TOTP(b32decode(secret))
    app.time = time.time()
    page.get_by_label("Security code").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Save your backup codes")).to_be_visible()
    expect(page.get_by_role("list", name="Backup codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url("/discussions/")  # where they were going

    page.goto("/account/")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change email address").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_too_many_failures_show_the_lockout_page(page):
    UserFactory(username="bob", role="chair")
    page.goto("/sign-in/")
    for _ in range(5):
        page.get_by_label("Username").fill("bob")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many failed attempts to sign in")).to_be_visible()
    expect(page.get_by_text("Try again in 15 minutes")).to_be_visible()
    assert_accessible(page)


def age_session(page, seconds: int) -> None:  # noqa: ANN001
    """As if nobody had touched the service for a while, on the server's side.

    Waits for the page's own requests to finish first: one still in flight would save the
    session it loaded before this change, and undo it."""
    page.wait_for_load_state("networkidle")
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[sessions.SEEN] -= seconds
    session.save()


@pytest.mark.django_db(transaction=True)
def advance_until_shown(page, warning, by: str) -> None:  # noqa: ANN001
    """Moves the page's clock on, then a few seconds at a time while the page's check with
    the server is still in flight (its timers and the server's answer race on a busy
    machine), until the warning shows; then asserts it did."""
    page.clock.fast_forward(by)
    for _ in range(12):
        if warning.is_visible():
            break
        page.wait_for_timeout(250)
        page.clock.fast_forward(2000)
    expect(warning).to_be_visible()


def test_the_timeout_warning_offers_to_stay_signed_in_then_signs_out(page):
    UserFactory(username="bob", role="chair")
    page.clock.install()
    sign_in(page, "bob")
    page.goto("/discussions/")
    warning = page.get_by_role("dialog", name="You are about to be signed out")
    expect(warning).to_be_hidden()

    # Before warning, the page asks the server: another tab may have kept the session going.
    page.clock.fast_forward("28:30")
    expect(warning).to_be_hidden()

    age_session(page, 28 * 60)
    advance_until_shown(page, warning, "28:30")
    expect(warning).to_contain_text("we will sign you out in 2 minutes")
    assert_accessible(page)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page).to_have_url("/discussions/")

    # Left alone this time, until the server's half hour is up.
    age_session(page, 28 * 60 + 30)
    advance_until_shown(page, warning, "28:30")
    age_session(page, 3 * 60)
    page.clock.fast_forward("02:00")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_url("/sign-in/?next=%2Fdiscussions%2F")
    expect(
        page.get_by_text("We signed you out because you had not used the service")
    ).to_be_visible()
    assert_accessible(page)


def test_the_sign_out_link_signs_out_in_one_click(page):
    UserFactory(username="bob", role="chair")
    sign_in(page, "bob")
    page.goto("/discussions/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign out").click()
    expect(page).to_have_url("/sign-in/")  # straight out: the link posts the form
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/discussions/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
