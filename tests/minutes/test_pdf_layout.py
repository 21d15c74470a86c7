"""The minutes PDF reads well: a summary on page 1, readable tables, a clean text layer."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TableBox

from minutes import pdf
from minutes.document import document_context, minutes_snapshot
from minutes.models import MinutesVersion
from strategy.models import Action, Adult, AgencyPosition, Child, ChildDecision, Outcome
from tests.minutes.records import HeldDiscussion, held_discussion

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
HELD_AT = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
POLICE_REASON = "Skye may have seen the injury and should be spoken with by officers."
# The snapshot's keys when the first minutes were approved.
SCHEMA_1_KEYS = {
    "schema",
    "header",
    "reason",
    "concern_categories",
    "referrer",
    "immediate_action",
    "housing_is_factor",
    "children",
    "adults",
    "invitees",
    "attendance_groups",
    "invitation_exceptions",
    "information_shared",
    "analysis",
    "decisions",
    "agreed_by_all",
    "professional_differences",
    "actions",
    "contingency_plan",
    "shared_with_family",
    "next_steps",
}
KNOWN = (
    "Known to the constabulary for two call-outs to the address in 2025, both for shouting "
    "reported by neighbours; no further action was taken either time. The hospital holds no "
    "record of injuries to him and the health visitor has not met him."
)


def flat(text: str) -> str:
    """Text with runs of whitespace (including line breaks in wrapped PDF text) as one space."""
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [flat(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def in_order(text: str, *parts: str) -> bool:
    """Whether each part appears in the text after the one before it."""
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def first_header(table: TableBox) -> str:
    """The table's first header cell's text, or its tag for a summary list laid out as a table."""
    header = table.element.find(".//{*}th")
    return "".join(header.itertext()) if header is not None else table.element_tag


@pytest.fixture
def record() -> HeldDiscussion:
    """Two children decided differently, the police disagreeing on one; two agencies' actions."""
    held = held_discussion(held_at=HELD_AT)
    discussion = held.discussion
    social_care, police, hospital = held.agencies[:3]
    rowan = discussion.children.get(first_name="Rowan")
    rowan.decision.conference_due_by = date(2026, 12, 14)
    rowan.decision.save()
    skye = Child.objects.create(
        discussion=discussion,
        first_name="Skye",
        last_name="Testcase",
        date_of_birth=date(2020, 3, 2),
    )
    skye_decision = ChildDecision.objects.create(
        child=skye,
        threshold_met=False,
        rationale="No indication Skye has been harmed.",
        outcomes=[Outcome.S17_ASSESSMENT],
        decided_by=held.chair,
    )
    attending = discussion.invitees.filter(attendance="attended").select_related("agency")
    for invitee in attending:
        AgencyPosition.objects.create(decision=rowan.decision, invitee=invitee, position="agrees")
        disagrees = invitee.agency == police
        AgencyPosition.objects.create(
            decision=skye_decision,
            invitee=invitee,
            position="disagrees" if disagrees else "agrees",
            reason=POLICE_REASON if disagrees else "",
        )
    Adult.objects.create(
        discussion=discussion,
        name="Jordan Testcase",
        relationship="father",
        known_information=KNOWN,
    )
    Action.objects.create(
        discussion=discussion,
        what="Arrange a child protection medical for Rowan.",
        agency=hospital,
        person="Dr Hana Paediatrician",
        due_by=date(2026, 11, 24),
        why="To find out how the bruise was caused.",
    )
    Action.objects.create(
        discussion=discussion,
        what="Visit the family home jointly.",
        agency=social_care,
        person="Sol Worker",
        due_by=date(2026, 11, 25),
        why="Joint section 47 enquiry.",
    )
    return held


@pytest.fixture
def approved(record: HeldDiscussion, settings, tmp_path) -> MinutesVersion:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path / "media"
    return MinutesVersion.objects.create(
        discussion=record.discussion,
        number=1,
        drafted_by=record.chair,
        approved_at=timezone.now(),
        approved_by=record.chair,
        snapshot=minutes_snapshot(record.discussion),
    )


@pytest.fixture
def pdf_data(approved: MinutesVersion) -> bytes:
    return pdf.render_minutes_pdf(pdf.minutes_html(approved))


@pytest.fixture
def pages(pdf_data: bytes) -> list[str]:
    return page_texts(pdf_data)


def test_page_one_summarises_each_childs_decision_and_who_disagrees(pages: list[str]) -> None:
    summary = pages[0]

    assert in_order(
        summary,
        "Summary",
        "Skye Testcase",
        "Section 47 threshold Not met",
        "Section 17 child and family assessment",
        f"Eastmere Constabulary disagrees: {POLICE_REASON}",
    )
    assert in_order(
        summary,
        "Rowan Testcase",
        "Section 47 threshold Met",
        "Section 47 enquiry, joint with police",
        "Initial child protection conference Due by 14 December 2026",
        "None: agreed by all attending agencies",
    )
    # The detail starts on page 2.
    assert "Details" not in summary
    assert pages[1].startswith("Details")


def test_page_one_lists_next_steps_and_each_agencys_actions(pages: list[str]) -> None:
    summary = pages[0]

    assert in_order(
        summary,
        "Next steps",
        "Initial child protection conference for Rowan Testcase: by 14 December 2026",
        "Actions by agency",
        "Eastmere Children's Social Care",
        "Visit the family home jointly. Sol Worker, by 25 November 2026",
        "Eastmere General Hospital",
        "Arrange a child protection medical for Rowan. Dr Hana Paediatrician, by 24 November 2026",
    )


def test_the_pdf_is_titled_with_the_reference_and_the_day_it_was_held(pdf_data: bytes) -> None:
    title = PdfReader(io.BytesIO(pdf_data)).metadata.title

    assert title == "Strategy discussion minutes, SD-2026-00077, 23 November 2026"


def test_tables_read_row_by_row_without_hidden_captions(pages: list[str]) -> None:
    text = " ".join(pages)

    assert in_order(
        text,
        "On the decision for Skye Testcase",
        "Eastmere Children's Social Care Agrees",
        f"Eastmere Constabulary Disagrees {POLICE_REASON}",
        "Eastmere General Hospital Agrees",
        "Saltmarsh Primary School Agrees",
    )
    assert in_order(
        text,
        "What needs to happen Who Due by Why",
        "Arrange a child protection medical for Rowan. Dr Hana Paediatrician, "
        "Eastmere General Hospital 24 November 2026 To find out how the bruise was caused.",
        "Visit the family home jointly. Sol Worker, Eastmere Children's Social Care "
        "25 November 2026 Joint section 47 enquiry.",
    )
    assert "Jordan Testcase Father, lives with the children GP practice: Not known " + KNOWN in text
    for hidden in (
        "scrolls sideways",
        "Each attending agency's position",
        "Agencies that attended",
        "Actions agreed",
        "Who these minutes go to",
    ):
        assert hidden not in text, hidden
    # Bullets are written beside their items, not gathered at the foot of the page.
    assert "• Eastmere Health Visiting • Eastmere Housing Options" in text


def test_no_printed_column_is_narrower_than_a_fifth_of_its_table(
    approved: MinutesVersion,
) -> None:
    document = HTML(
        string=pdf.minutes_html(approved),
        base_url=pdf.BASE_URL,
        url_fetcher=pdf.MinutesURLFetcher(),
        media_type="print",
    ).render()
    tables = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, TableBox)
    ]

    for table in tables:
        narrowest = min(table.column_widths) / sum(table.column_widths)
        assert narrowest >= 0.19, first_header(table)
    headers = {first_header(table) for table in tables}
    assert {"Person", "Agency", "What needs to happen"} <= headers
    # "What is known" has most of the household table.
    [household] = [table for table in tables if first_header(table) == "Person"]
    assert household.column_widths[-1] / sum(household.column_widths) > 0.6


def test_a_snapshot_approved_before_the_summary_still_prints_it(approved: MinutesVersion) -> None:
    # Approved versions keep the snapshot they were approved with, so the summary is worked
    # out from what every snapshot already held.
    assert set(approved.snapshot) == SCHEMA_1_KEYS
    context = document_context(approved)
    html = pdf.minutes_html(approved)

    assert context["document_title"] == (
        "Strategy discussion minutes, SD-2026-00077, 23 November 2026"
    )
    assert [group["agency"] for group in context["actions_by_agency"]] == [
        "Eastmere Children's Social Care",
        "Eastmere General Hospital",
    ]
    assert "<title>Strategy discussion minutes, SD-2026-00077, 23 November 2026</title>" in html
    assert "<strong>Eastmere Constabulary</strong> disagrees: " in html
