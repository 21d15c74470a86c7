"""Playwright driving Debian's Chromium against pytest-django's live server."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Two shared cores, sometimes busy with a worker or a benchmark: give pages time to answer.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls in the
# same test are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:  # noqa: ANN001
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def assert_accessible(page) -> None:  # noqa: ANN001
    """axe-core finds no WCAG 2.2 A or AA violation on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    # The one exception: GOV.UK Frontend sets aria-expanded on a radio or checkbox that
    # reveals a question (the Design System's conditional reveal). ARIA does not list it for
    # those roles, but screen readers announce it and the Design System keeps it on purpose
    # (alphagov/govuk-frontend#979). Nothing else is let through, on any element.
    revealing = set(
        page.evaluate(
            "() => [...document.querySelectorAll("
            "'.govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]')]"
            ".map(e => '#' + e.id)"
        )
    )
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": nodes}
        for v in result["violations"]
        if (
            nodes := [
                n["target"]
                for n in v["nodes"]
                if not (v["id"] == "aria-allowed-attr" and set(n["target"]) <= revealing)
            ]
        )
    ]
    assert violations == [], f"{page.url}: {json.dumps(violations, indent=1)}"


def sign_in(page, username: str, password: str = "a-long-test-password") -> None:  # noqa: ANN001
    page.goto("/sign-in/")
    assert_accessible(page)
    complete_sign_in(page, username, password)


def complete_sign_in(page, username: str, password: str = "a-long-test-password") -> None:  # noqa: ANN001
    """Signs in from the sign-in page the browser is on, keeping any way back it carries: the
    password, then the code the person's authenticator app shows (one is set up for them)."""
    from playwright.sync_api import expect

    from agencies.models import User
    from tests.signin.helpers import authenticator_for, code_from

    device = authenticator_for(User.objects.get(username=username))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Security code").fill(code_from(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


PHONE = {"width": 375, "height": 812}

# The innermost elements that reach past the right edge: what to fix.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 376)
  .filter(e => !(e.parentElement && e.parentElement.closest('.app-table-scroll')))
  .slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 30))"""


def assert_fits_a_phone(page) -> None:  # noqa: ANN001
    """At 375 px wide the page does not scroll sideways, and axe still finds nothing; then
    the page goes back to the size it had."""
    before = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (
            f"{page.url} is {width} px wide at 375 px: {page.evaluate(WIDEST)}"
        )
        assert_accessible(page)
    finally:
        if before:
            page.set_viewport_size(before)
