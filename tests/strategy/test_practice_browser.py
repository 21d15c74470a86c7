"""The new pages in Chromium, each checked with axe-core (WCAG 2.2 A and AA): the
discussion form's revealed emergency action, the late-discussion question on attendance, a
professional difference's page, raising one as a partner and from the receipt link, and the
dashboard lists of late discussions and differences past their timescale."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from minutes.case_audit import case_audit_draw, question_set_revise
from minutes.models import AuditQuestionSet, Delivery
from minutes.receipts_links import receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Discussion
from strategy.services.differences import difference_open
from tests.browser.conftest import AXE, WCAG_22_AA, assert_accessible
from tests.dashboards.test_browser import in_chromium, visit
from tests.factories import UserFactory
from tests.minutes.records import held_discussion

pytestmark = pytest.mark.browser


def visit_with_reveal(page: Page, path: str) -> None:
    """axe, allowing only GOV.UK Frontend's aria-expanded on radios that reveal a question.

    The Design System keeps it although ARIA does not list it for radios, because screen
    readers announce it (alphagov/govuk-frontend#979, a documented known issue). Anything
    else axe finds still fails."""
    page.goto(path)
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    revealing = set(
        page.evaluate(
            "() => [...document.querySelectorAll('.govuk-radios__input[aria-controls]')]"
            ".map(e => '#' + e.id)"
        )
    )
    violations = [
        (v["id"], n["target"])
        for v in result["violations"]
        for n in v["nodes"]
        if not (v["id"] == "aria-allowed-attr" and set(n["target"]) <= revealing)
    ]
    assert violations == [], f"{page.url}: {violations}"


@pytest.mark.django_db(transaction=True)
def test_the_practice_pages_are_accessible(
    chromium_path, live_server, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    discussion = record.discussion
    discussion.concern_raised_at = timezone.now() - timedelta(days=10)
    discussion.save()
    version = minutes_draft(discussion=discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    police = Delivery.objects.get(agency__name="Eastmere Constabulary")
    difference = difference_open(
        discussion=discussion,
        opened_by=record.chair,
        raising_agency=police.agency,
        raised_by="DS Priya Wrenfield",
        raised_with="The chair",
        raised_on=timezone.localdate() - timedelta(days=10),
        issue="Fictional: the threshold is met.",
    )
    token = receipt_token(delivery_id=police.pk, version_id=police.version_id)
    receipt = reverse("minutes:receipt", args=[token])
    partner = UserFactory(username="pat", role="partner", agency=police.agency)
    being_recorded = Discussion.objects.create(
        reference="SD-2026-00099",
        format="phone",
        urgency="planned",
        scheduled_for=timezone.now() - timedelta(hours=2),
        concern_raised_at=timezone.now() - timedelta(days=10),
        reason="Fictional.",
        team=discussion.team,
        chair=record.chair,
        minute_taker=discussion.minute_taker,
        created_by=record.chair,
    )

    def as_chair(page: Page) -> None:
        visit_with_reveal(page, reverse("strategy:create"))
        page.get_by_label("Retrospective, after emergency action").check()
        expect(page.get_by_text("Date of the emergency action")).to_be_visible()
        visit_with_reveal(page, reverse("strategy:attendance", args=[being_recorded.pk]))
        page.get_by_role("radio", name="No").first.check()
        expect(page.get_by_label("Reason for the delay")).to_be_visible()
        visit(page, reverse("strategy:difference", args=[discussion.pk, difference.pk]))
        expect(page.get_by_role("table", name="Stages")).to_contain_text(
            "Practitioner to practitioner"
        )
        visit(page, reverse("strategy:difference_create", args=[discussion.pk]))
        visit(page, receipt)
        expect(page.locator("#difference")).to_be_visible()

    def as_manager(page: Page) -> None:
        visit(page, "/dashboards/discussions-late/")
        visit(page, "/dashboards/differences-past-timescale/")
        expect(page.get_by_role("table")).to_contain_text(discussion.reference)
        visit(page, "/dashboards/audit/")
        visit(page, "/dashboards/decisions/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    auditor = UserFactory(username="audrey", role="auditor")
    if not AuditQuestionSet.objects.exists():  # an earlier transactional test flushed it
        question_set_revise(
            questions=[("The timescale was appropriate", "timescale")], revised_by=None
        )
    audit = case_audit_draw(
        start=timezone.localdate() - timedelta(days=7),
        end=timezone.localdate(),
        drawn_by=auditor,
        chosen=[discussion.pk],
    )
    item_pk = audit.items.get().pk  # here, not in the browser's thread

    def as_auditor(page: Page) -> None:
        visit(page, "/dashboards/case-audits/")
        visit(page, f"/dashboards/case-audits/{audit.pk}/")
        visit(page, f"/dashboards/case-audits/{audit.pk}/discussions/{item_pk}/")

    administrator = UserFactory(username="ada", role="administrator")

    def as_administrator(page: Page) -> None:
        visit(page, "/dashboards/case-audits/questions/")
        expect(page.get_by_role("heading", name="Case audit questions", level=1)).to_be_visible()
        page.get_by_label("Question 1", exact=True).fill("")
        page.get_by_label("New question 1 (optional)").fill("Was the child's voice heard?")
        with page.expect_navigation():
            page.get_by_role("button", name="Save as a new version").click()
        assert_accessible(page)  # the page with its error summary
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter question 1, or remove it"
        )
        page.get_by_label("Remove question 1").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save as a new version").click()
        assert_accessible(page)
        expect(page.get_by_role("alert")).to_contain_text("Questions saved as version")

    def as_partner(page: Page) -> None:
        visit(page, reverse("minutes:partner_difference", args=[police.pk]))

    in_chromium(chromium_path, live_server.url, record.chair, as_chair)
    in_chromium(chromium_path, live_server.url, record.manager, as_manager)
    in_chromium(chromium_path, live_server.url, partner, as_partner)
    in_chromium(chromium_path, live_server.url, auditor, as_auditor)
    in_chromium(chromium_path, live_server.url, administrator, as_administrator)
