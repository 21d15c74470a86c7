"""The minutes document: snapshot, HTML, PDF, and rendering each approved version once."""

import hashlib
import io
import json
import re
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from minutes import pdf
from minutes.document import document_context, minutes_snapshot
from minutes.models import Delivery, MinutesVersion
from minutes.services.lifecycle import version_pdf_bytes, version_render
from tests.minutes.conftest import HOSPITAL_REASON, POLICE_REASON, SEATS
from tests.minutes.records import render_now

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Details",
    "Children",
    "Household and significant adults",
    "Invitees and attendance",
    "Information shared",
    "Analysis",
    "The child's voice",
    "Decisions",
    "Agency positions",
    "Resolving Professional Differences",
    "Actions",
    "Contingency and the family",
    "Next steps",
    "Minute-taker's notes",
    "Distribution list",
]
HOSTILE = '<b>bold</b> <img src="file:///etc/passwd"> <script>alert(1)</script>'


def flat(text: str) -> str:
    """Text with runs of whitespace (including line breaks in wrapped PDF text) as one space."""
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [flat(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def test_the_snapshot_is_plain_json_with_every_part_of_the_record(recorded):
    snapshot = minutes_snapshot(recorded)

    assert json.loads(json.dumps(snapshot)) == snapshot
    header = snapshot["header"]
    assert header["protective_marking"] == "OFFICIAL-SENSITIVE"
    assert header["date_time"] == "23 November 2026, 10:00"
    assert header["held_at"] == "23 November 2026, 10:05"
    assert header["chair"] == "Chris Example"
    assert header["format"] == "Video call"
    groups = {g["key"]: [i["agency"] for i in g["invitees"]] for g in snapshot["attendance_groups"]}
    assert groups["apologies"] == ["Riverside Medical Centre"]
    assert groups["did_not_attend"] == ["Millbrook Family Practice"]
    assert groups["invited"] == ["Saltmarsh Primary School"]
    assert len(groups["attended"]) == 4
    assert snapshot["invitation_exceptions"][0]["reason"].startswith("The family's tenancy")
    ada = next(d for d in snapshot["decisions"] if d["child"] == "Ada Testcase")
    assert ada["agreed_by_all"] is False
    assert [d["text"] for d in ada["disagreements"]] == [
        f"Eastmere Constabulary disagrees with the decision for Ada Testcase: {POLICE_REASON}",
        f"Eastmere General Hospital disagrees with the decision for Ada Testcase: "
        f"{HOSPITAL_REASON}",
    ]
    baby = next(d for d in snapshot["decisions"] if d["child"] == "Baby Testcase")
    assert baby["agreed_by_all"] is True
    assert baby["outcomes"] == [
        "Section 47 enquiry, joint with police",
        "Medical examination",
    ]
    assert snapshot["next_steps"]["latest_conference_due_by"] == "14 December 2026"
    assert snapshot["next_steps"]["follow_up_due_by"] == "7 December 2026"
    assert snapshot["agreed_by_all"] is False


def test_the_html_has_every_section_in_order(approved):
    html = pdf.minutes_html(approved)

    positions = [html.index(f">{heading}</h2>") for heading in HEADINGS]
    assert positions == sorted(positions)
    assert '<html lang="en-GB">' in html
    assert 'href="static/minutes/print.css"' in html
    assert "The chair thanked everyone.<br>Next review in two weeks." in html
    assert "Approved" in html


def test_the_pdf_holds_the_whole_record_with_furniture_on_every_page(approved):
    version = render_now(approved)
    data = version_pdf_bytes(version)
    pages = page_texts(data)
    text = " ".join(pages)
    reference = approved.discussion.reference

    for heading in HEADINGS:
        assert heading in text, heading
    invited = list(approved.discussion.invitees.values_list("agency__name", flat=True))
    assert len(invited) == len(SEATS)
    for name in invited:
        assert name in text, name
    assert "Housing (housing is a factor)" in text
    assert POLICE_REASON in text
    assert HOSPITAL_REASON in text
    assert (
        f"Eastmere Constabulary disagrees with the decision for Ada Testcase: {POLICE_REASON}"
        in text
    )
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page, number
        assert reference in page, number
        assert f"Page {number} of {len(pages)}" in page, number
        assert "Version 1" in page, number


def test_the_pdf_is_tagged_with_embedded_fonts(approved):
    data = version_pdf_bytes(render_now(approved))
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]

    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    metadata = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in metadata
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object().get("/FontDescriptor"))
            for descriptor in filter(None, descriptors):
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded.add(str(descriptor["/FontName"]))
    assert any("Liberation" in name or "DejaVu" in name for name in embedded), embedded


def test_user_text_stays_text_and_the_renderer_fetches_only_the_stylesheet(recorded, minute_taker):
    child = recorded.children.get(first_name="Ada")
    child.needs = HOSTILE
    child.save()
    recorded.reason = f"Line one\n{HOSTILE}"
    recorded.save()
    draft = MinutesVersion.objects.create(
        discussion=recorded, number=1, drafted_by=minute_taker, additional_notes=HOSTILE
    )

    html = pdf.minutes_html(draft)
    assert "<img" not in html
    assert "<script" not in html
    assert "<b>bold" not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Line one<br>&lt;b&gt;bold&lt;/b&gt;" in html

    fetcher = pdf.MinutesURLFetcher()
    text = " ".join(page_texts(pdf.render_minutes_pdf(html, url_fetcher=fetcher)))
    assert flat(HOSTILE) in text
    assert fetcher.requested == ["https://minutes.invalid/static/minutes/print.css"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.org/tracker.png",
        "http://minutes.invalid/static/minutes/print.css",
        "https://minutes.invalid/static/build/app.css",
        "https://minutes.invalid/static/minutes/../../config/settings.py",
        "https://minutes.invalid/static/minutes/%2e%2e/%2e%2e/config/settings.py",
        "https://minutes.invalid/media/minutes/secret.pdf",
        "https://user@minutes.invalid/static/minutes/print.css",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_minutes_static_files(url):
    fetcher = pdf.MinutesURLFetcher()
    with pytest.raises(pdf.URLRefused):
        fetcher(url)
    assert fetcher.requested == [url]


def test_the_fetcher_serves_the_print_stylesheet_from_disk():
    response = pdf.MinutesURLFetcher()("https://minutes.invalid/static/minutes/print.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_each_approved_version_is_rendered_once_and_frozen(approved):
    before = pdf.minutes_html(approved)
    with mock.patch("minutes.pdf.render_minutes_pdf", wraps=pdf.render_minutes_pdf) as render:
        first = render_now(approved)
        second = render_now(approved)
        discussion = approved.discussion
        discussion.reason = "A completely different reason typed after approval."
        discussion.save()
        child = discussion.children.get(first_name="Ada")
        child.needs = "Changed after approval."
        child.save()
        third = render_now(approved)

    assert render.call_count == 1
    stored = version_pdf_bytes(third)
    assert first.pdf_sha256 == second.pdf_sha256 == third.pdf_sha256
    assert hashlib.sha256(stored).hexdigest() == third.pdf_sha256
    assert third.pdf_rendered_at is not None
    assert third.pdf.name.endswith("minutes-v1.pdf")
    approved.refresh_from_db()
    after = pdf.minutes_html(approved)
    assert after == before
    assert "completely different reason" not in after
    assert "Changed after approval" not in after


def test_a_draft_is_never_rendered_to_pdf(recorded, minute_taker):
    draft = MinutesVersion.objects.create(discussion=recorded, number=1, drafted_by=minute_taker)

    with mock.patch("minutes.pdf.render_minutes_pdf") as render:
        assert version_render(draft.pk) == "not due"
    render.assert_not_called()
    draft.refresh_from_db()
    assert not draft.pdf


def test_a_tampered_pdf_is_refused(approved):
    version = render_now(approved)
    with version.pdf.open("wb") as handle:
        handle.write(b"%PDF-1.7 not the minutes")

    with pytest.raises(ValueError, match="does not match"):
        version_pdf_bytes(version)


def test_a_draft_shows_the_live_record_and_who_it_will_go_to(recorded, minute_taker):
    draft = MinutesVersion.objects.create(discussion=recorded, number=1, drafted_by=minute_taker)
    recorded.reason = "Reason changed while the minutes are in draft."
    recorded.save()

    html = pdf.minutes_html(draft)
    context = document_context(draft)

    assert "Reason changed while the minutes are in draft." in html
    assert context["minutes_version"]["status"] == "Draft"
    assert "This is a draft" in html
    assert [row["agency"] for row in context["distribution"]] == sorted(
        recorded.invitees.values_list("agency__name", flat=True)
    )
    assert {row["status"] for row in context["distribution"]} == {"Not yet sent"}
    assert html.count("Not yet sent") == len(SEATS)


def test_an_approved_version_lists_its_deliveries(approved, county):
    invitee = approved.discussion.invitees.get(agency=county["police"])
    Delivery.objects.create(
        version=approved,
        invitee=invitee,
        agency=invitee.agency,
        recipients=["safeguarding@eastmere.police.uk"],
        status="sent",
        sent_at=timezone.now(),
        confirmed_at=timezone.now(),
        confirmed_by_name="Pat Officer",
        confirmed_by_role="Detective Sergeant",
    )

    context = document_context(approved)
    page = render_to_string("minutes/_document_body.html", context)

    assert context["minutes_version"]["status"].startswith("Approved ")
    assert [row["agency"] for row in context["distribution"]] == ["Eastmere Constabulary"]
    assert "safeguarding@eastmere.police.uk" in page
    assert "by Pat Officer, Detective Sergeant" in page
    assert re.search(r"Sent \d+ \w+ \d{4}, \d\d:\d\d", page)
