"""A manager opens the dashboards in Chromium, follows the overdue card to its list and
downloads it; every page visited is checked with axe-core (WCAG 2.2 A and AA).

Playwright runs in a thread of its own: tests/browser keeps a session-wide Playwright in
this thread, and a second one cannot share it (nor can this directory see that fixture).
"""

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_FLAGS, assert_accessible
from tests.dashboards import builders as b
from tests.factories import UserFactory
from tests.signin.helpers import verified_client

pytestmark = pytest.mark.browser


def in_chromium(chromium: str, base_url: str, user, scenario: Callable[[Page], None]) -> None:  # noqa: ANN001
    """Runs `scenario` in a fresh Chromium, signed in as `user` (both sign-in steps done)."""
    session = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                context = browser.new_context(base_url=base_url, accept_downloads=True)
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
                )
                page = context.new_page()
                page.set_default_timeout(10_000)
                scenario(page)
                browser.close()
        except BaseException as failure:  # noqa: BLE001 - handed to the test's thread
            failures.append(failure)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=180)
    assert not thread.is_alive(), "the browser scenario did not finish in 3 minutes"
    if failures:
        raise failures[0]


def visit(page: Page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_a_manager_follows_the_overdue_card_to_its_list_and_downloads_it(
    chromium_path: str,
    live_server,  # noqa: ANN001
) -> None:
    p = b.partnership()
    maya = UserFactory(username="maya", role="manager")
    now = timezone.now()
    overdue = b.discussion(p, held_at=now - timedelta(hours=30))
    b.invite(overdue, p.agencies["police"])
    sent = b.discussion(p, held_at=now - timedelta(days=3), distributed_at=now - timedelta(days=2))
    b.delivery(b.version(sent), p.agencies["hospital"], sent_at=now - timedelta(days=2))
    reference = overdue.reference

    def scenario(page: Page) -> None:
        visit(page, "/dashboards/")
        expect(page.get_by_role("heading", name="Dashboards", level=1)).to_be_visible()
        with page.expect_navigation():
            page.get_by_role("link", name="View minutes overdue", exact=True).click()
        assert_accessible(page)
        expect(page.get_by_role("heading", name="Minutes overdue", level=1)).to_be_visible()
        expect(page.get_by_role("table")).to_contain_text(reference)

        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV of minutes overdue").click()
        assert download.value.suggested_filename.startswith("minutes-overdue-")
        lines = Path(download.value.path()).read_text().splitlines()
        assert lines[0] == "Discussion,Held,Overdue by (hours),Chair,Team"
        assert lines[1].startswith(f"{reference},")

        visit(page, "/dashboards/minutes-overdue/?start_0=31&start_1=2&start_2=2026")
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Discussions from must be a real date"
        )
        visit(page, "/dashboards/receipts-1-to-3-days/")
        expect(page.get_by_role("table")).to_contain_text("Eastmere General Hospital")
        visit(page, "/dashboards/audit/")
        figures = page.get_by_role("table", name="What the audit asks", exact=True)
        expect(figures).to_contain_text("Police, health and children's social care took part")
        counts = page.get_by_role("table", name="Counts and times", exact=True)
        expect(counts).to_contain_text("Discussions held")
        visit(page, "/dashboards/trends/")
        chart = page.get_by_role("img", name="Bar chart: Discussions held, by month")
        expect(chart).to_have_count(1)

    in_chromium(chromium_path, live_server.url, maya, scenario)
