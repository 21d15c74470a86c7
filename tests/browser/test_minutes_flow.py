"""The chair approves the minutes; an agency confirms receipt and disputes them, in the browser.

Every page is checked with axe-core (WCAG 2.2 A and AA), each form both as it first opens
and when it shows a mistake. The minutes go out as real .eml files, so the test follows the
receipt link an agency would click. All the people and places are fictional.
"""

import email
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from minutes.models import Delivery, Dispute
from tests.browser.conftest import assert_accessible, assert_fits_a_phone, sign_in
from tests.minutes.records import held_discussion

pytestmark = pytest.mark.browser

RECEIPT_LINK = re.compile(r"(https?://\S+/minutes/receipt/([^/\s]+)/)")
AGENCIES = 3


# --- Helpers a person would recognise -------------------------------------------------------


def press(page: Page, button: str) -> None:
    """Presses a button, waits for the page the server sends back and checks it with axe."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    assert_accessible(page)
    assert_fits_a_phone(page)


def follow(page: Page, link: str) -> None:
    """Follows a link, waits for the page and checks it with axe."""
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).click()
    assert_accessible(page)
    assert_fits_a_phone(page)


def error_summary(page: Page) -> Locator:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    return summary


def mail_in(folder: Path) -> list[EmailMessage]:
    """Every .eml the service has written, oldest first."""
    messages = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def distribution_row(page: Page, version: int, agency: str) -> Locator:
    table = page.get_by_role("table", name=f"Distribution of version {version}")
    return table.get_by_role("row").filter(has_text=agency)


# --- The flow ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_minutes_are_approved_sent_confirmed_and_disputed(
    page: Page, browser: Browser, live_server, settings, tmp_path: Path
) -> None:
    mail = tmp_path / "mail"
    settings.EMAIL_BACKEND = "config.mail.EmlFolderBackend"
    settings.EMAIL_FILE_PATH = str(mail)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    held = held_discussion(agencies=AGENCIES)
    discussion = held.discussion
    agencies = [agency.name for agency in held.agencies]

    # -- 1. The chair drafts notes, then approves and sends the minutes. --------------------
    sign_in(page, "chris")
    assert_accessible(page)
    page.goto(f"/discussions/{discussion.pk}/")
    assert_accessible(page)
    follow(page, "Approve and send the minutes")  # a section of the task list
    expect(page.get_by_role("heading", level=1)).to_have_text("Minutes")
    page.get_by_label("Minute-taker's notes").fill("The chair thanked everyone for joining.")
    press(page, "Save draft")
    expect(page.get_by_text("Draft minutes saved")).to_be_visible()
    expect(page.get_by_role("heading", name="Draft: version 1")).to_be_visible()
    expect(page.get_by_label("Minute-taker's notes")).to_have_value(
        "The chair thanked everyone for joining."
    )

    # Closing before the minutes are approved is refused, with where to put it right.
    page.goto(f"/discussions/{discussion.pk}/close/")
    assert_accessible(page)
    press(page, "Close the discussion")
    expect(error_summary(page)).to_contain_text("Approve the minutes before closing the discussion")
    page.goto(f"/minutes/discussion/{discussion.pk}/")

    follow(page, "Preview the draft minutes")
    expect(page.get_by_text("Draft: not approved or sent.")).to_be_visible()
    follow(page, "Back to the minutes")

    press(page, "Approve and send the minutes")
    # Nothing goes on that click: first the minutes and exactly who gets them.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the minutes before you send them"
    )
    for agency in agencies:
        expect(page.locator("#distribution-list")).to_contain_text(agency)
    assert not Delivery.objects.exists()
    press(page, f"Approve and send to {AGENCIES} agencies")
    expect(page.get_by_role("heading", name="Minutes approved")).to_be_visible()
    expect(page.get_by_text(f"Version 1 approved. It is being sent to {AGENCIES}")).to_be_visible()
    follow(page, "See the distribution and receipts")
    for agency in agencies:
        row = distribution_row(page, 1, agency)
        expect(row).to_contain_text("Sent, not confirmed")
        expect(row).to_contain_text("Not confirmed")
    assert Delivery.objects.filter(status="sent").count() == AGENCIES

    # -- 2. One .eml per agency: the reference, no child's name, the PDF and the link. ------
    sent = mail_in(mail)
    assert len(sent) == AGENCIES
    police_mail = next(m for m in sent if "minutes.1@eastmere.gov.uk" in m["To"])
    subject = police_mail["Subject"]
    assert discussion.reference in subject
    assert "Rowan" not in subject
    assert "Testcase" not in subject
    pdfs = [
        part
        for part in police_mail.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]
    assert len(pdfs) == 1
    assert pdfs[0].get_filename() == f"{discussion.reference}-minutes-v1.pdf"
    assert pdfs[0].get_content().startswith(b"%PDF")
    body = body_text(police_mail)
    # A secure address is told, in short, what was decided for each child (issue 11).
    assert "Rowan Testcase: Section 47 enquiry, joint with police" in body
    found = RECEIPT_LINK.search(body)
    assert found, body
    link, token = found.groups()
    assert link.startswith(live_server.url)
    delivery = Delivery.objects.get(agency=held.agencies[1])

    # -- 3. The agency opens the link with no account: opening it confirms nothing. ---------
    context = browser.new_context(base_url=live_server.url)
    agency_page = context.new_page()
    agency_page.set_default_timeout(10_000)
    try:
        response = agency_page.goto(link)
        assert response is not None
        assert response.status == 200
        assert_accessible(agency_page)
        expect(agency_page.get_by_role("heading", level=1)).to_have_text(
            "Confirm your agency received the minutes"
        )
        expect(agency_page.get_by_text(agencies[1], exact=True)).to_be_visible()
        delivery.refresh_from_db()
        assert delivery.confirmed_at is None

        press(agency_page, "Confirm receipt")
        summary = error_summary(agency_page)
        expect(summary).to_contain_text("Enter your full name")
        expect(summary).to_contain_text("Enter your role")
        expect(summary).to_contain_text(
            "Tick the box to confirm your agency has received the minutes"
        )
        delivery.refresh_from_db()
        assert delivery.confirmed_at is None

        confirm_form = agency_page.locator("form").filter(
            has=agency_page.get_by_role("button", name="Confirm receipt")
        )
        confirm_form.get_by_label("Your full name").fill("DS Pat Officer")
        confirm_form.get_by_label("Your role").fill("Detective sergeant")
        confirm_form.get_by_label("I confirm my agency has received these minutes.").check()
        press(agency_page, "Confirm receipt")
        expect(agency_page.get_by_role("heading", name="Receipt confirmed")).to_be_visible()
        expect(agency_page.get_by_text("By DS Pat Officer (Detective sergeant)")).to_be_visible()
        delivery.refresh_from_db()
        assert delivery.confirmed_at is not None
        assert delivery.confirmed_by_name == "DS Pat Officer"

        # Opening the link again shows the confirmation, and asks for nothing more.
        agency_page.goto(link)
        assert_accessible(agency_page)
        expect(agency_page.get_by_role("heading", name="Already confirmed")).to_be_visible()
        expect(agency_page.get_by_text("By DS Pat Officer (Detective sergeant)")).to_be_visible()
        expect(agency_page.get_by_role("button", name="Confirm receipt")).to_have_count(0)

        # -- 4. The agency disputes the record: a mistake first, then the statement. -------
        statement = "The police position on a joint enquiry is recorded the wrong way round."
        press(agency_page, "Tell the chair")
        expect(error_summary(agency_page)).to_contain_text(
            "Say why the minutes do not reflect the discussion"
        )
        assert not Dispute.objects.exists()
        agency_page.get_by_label("The minutes do not reflect the discussion because").fill(
            statement
        )
        dispute_form = agency_page.locator("form").filter(
            has=agency_page.get_by_role("button", name="Tell the chair")
        )
        dispute_form.get_by_label("Your full name").fill("DS Pat Officer")
        dispute_form.get_by_label("Your role").fill("Detective sergeant")
        press(agency_page, "Tell the chair")
        expect(agency_page.get_by_text("The chair has been told.")).to_be_visible()
        expect(agency_page.locator(".govuk-inset-text", has_text=statement)).to_be_visible()
        assert Dispute.objects.get().statement == statement

        to_chair = [m for m in mail_in(mail) if m["To"] == "chris@eastmere.gov.uk"]
        assert len(to_chair) == 1
        assert discussion.reference in to_chair[0]["Subject"]
        assert agencies[1] in to_chair[0]["Subject"]
        assert statement in body_text(to_chair[0])
        assert "Rowan" not in to_chair[0]["Subject"]

        # -- 5. A link with one character changed does not work. --------------------------
        last = token[-1]
        tampered = link.replace(f"{token}/", f"{token[:-1]}{'A' if last != 'A' else 'B'}/")
        assert tampered != link
        response = agency_page.goto(tampered)
        assert response is not None
        assert response.status == 400
        assert_accessible(agency_page)
        expect(agency_page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    finally:
        context.close()

    # -- 6. The chair sees the dispute and the receipt on the minutes page. ------------------
    page.reload()
    assert_accessible(page)
    dispute = page.get_by_role("region", name=f"Disputed by {agencies[1]}", exact=True)
    expect(dispute).to_be_visible()
    expect(dispute).to_contain_text(statement)
    expect(dispute).to_contain_text("DS Pat Officer (Detective sergeant)")
    expect(distribution_row(page, 1, agencies[1])).to_contain_text("Receipt confirmed")
    expect(distribution_row(page, 1, agencies[1])).to_contain_text(
        "DS Pat Officer, Detective sergeant"
    )
    expect(distribution_row(page, 1, agencies[0])).to_contain_text("Not confirmed")

    # -- 7. The dispute is open, so the discussion cannot be closed yet: only an amended
    # version resolves it, and a closed discussion's minutes cannot be amended. -------------
    page.goto(f"/discussions/{discussion.pk}/summary/")
    press(page, "Close the discussion")
    expect(error_summary(page)).to_contain_text(
        f"Resolve the dispute from {agencies[1]} by amending the minutes"
    )
    page.goto(f"/minutes/discussion/{discussion.pk}/")
    expect(page.get_by_role("button", name="Amend the minutes")).to_have_count(1)
