"""The case audit's report as a PDF, and the administrators' question editor.

Audrey audits; Ada administers the service and edits the questions; Maya manages and reads
reports; Chris chairs, and neither reads audits nor edits their questions. The sampled
discussion is about a fictional baby, Rowan Testcase, whose name appears in no report."""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from minutes.case_audit import case_audit_answer, case_audit_draw, case_audit_report
from minutes.models import AuditQuestionSet, CaseAudit
from tests.factories import UserFactory
from tests.minutes.records import HeldDiscussion, held_discussion


@dataclass
class Audit:
    record: HeldDiscussion
    audit: CaseAudit


@pytest.fixture
def audrey(db):  # noqa: ANN001
    return UserFactory(username="audrey", role="auditor")


@pytest.fixture
def ada(db):  # noqa: ANN001
    return UserFactory(username="ada", role="administrator")


def draw(record: HeldDiscussion, auditor) -> CaseAudit:  # noqa: ANN001
    return case_audit_draw(
        start=timezone.localdate() - timedelta(days=7),
        end=timezone.localdate(),
        drawn_by=auditor,
        chosen=[record.discussion.pk],
    )


@pytest.fixture
def answered(audrey) -> Audit:  # noqa: ANN001
    """One discussion sampled and answered as the record computes it, except for the first
    question the record computes, where the auditor contradicts the record."""
    record = held_discussion(agencies=3)
    audit = draw(record, audrey)
    item = audit.items.get()
    computed = {
        cell["question"].pk: cell["computed"] for cell in case_audit_report(audit).rows[0].cells
    }
    contradicted = next(q for q in audit.question_set.questions.all() if computed[q.pk] is not None)
    answers = {pk: ("no" if met is False else "yes", "") for pk, met in computed.items()}
    answers[contradicted.pk] = ("yes" if computed[contradicted.pk] is False else "no", "Contested")
    case_audit_answer(item=item, answers=answers, grade="requires_improvement")
    audit.learning_points = "Invite the GP of every child and parent."
    audit.save()
    return Audit(record=record, audit=audit)


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text, reader


# The report as a PDF


def test_the_pdf_holds_the_findings_the_figures_and_the_learning_points(
    answered, client_for, audrey
) -> None:  # noqa: ANN001
    audit = answered.audit
    response = client_for(audrey).get(reverse("dashboards:case_audit_pdf", args=[audit.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    text, reader = pdf_text(response.content)
    report = case_audit_report(audit)
    for finding in report.findings():
        assert " ".join(finding.split()) in text
    assert "0 of 1 graded good" in text
    for line in report.lines:
        total = line.computed_met + line.computed_not_met
        if line.question.computed and total:
            assert (
                f"met in {line.computed_met} of {total}, not met in {line.computed_not_met}" in text
            )
    assert "Held within timescale: does not apply to any" in text  # no concern date
    assert sum(line.disagreements for line in report.lines) == 1
    assert "Disagrees" in text
    assert "Contested" in text
    assert "Invite the GP of every child and parent." in text
    assert answered.record.discussion.reference in text
    # The document names the audit, never the child it sampled.
    assert reader.metadata.title.startswith("Multi-agency case audit,")
    assert "Rowan" not in reader.metadata.title
    assert "Rowan" not in text


def test_the_report_page_links_to_its_pdf(answered, client_for) -> None:  # noqa: ANN001
    page = client_for(answered.record.manager).get(
        reverse("dashboards:case_audit", args=[answered.audit.pk])
    )

    assert reverse("dashboards:case_audit_pdf", args=[answered.audit.pk]) in page.text


def test_report_readers_get_the_pdf_and_a_chair_gets_404(answered, client_for, ada) -> None:  # noqa: ANN001
    url = reverse("dashboards:case_audit_pdf", args=[answered.audit.pk])

    assert client_for(answered.record.manager).get(url).status_code == 200
    assert client_for(ada).get(url).status_code == 200
    assert client_for(answered.record.chair).get(url).status_code == 404
    assert client_for(ada).get(url.replace(str(answered.audit.pk), "999999")).status_code == 404


# The question editor

QUESTIONS_URL = "/dashboards/case-audits/questions/"


def form_data(question_set: AuditQuestionSet, **changes: str) -> dict[str, str]:
    """The editor's form as it arrives unchanged, with `changes` by field name."""
    data = {"version": str(question_set.version)}
    data.update({f"q{q.pk}": q.text for q in question_set.questions.all()})
    data.update({"new_1": "", "new_2": "", "new_3": ""})
    data.update(changes)
    return data


def test_the_editor_shows_the_current_questions_and_version(client_for, ada) -> None:  # noqa: ANN001
    current = AuditQuestionSet.objects.order_by("-version").first()

    page = client_for(ada).get(QUESTIONS_URL)

    assert page.status_code == 200
    assert f"Version {current.version}" in page.text
    for question in current.questions.all():
        assert question.text in page.text


def test_saving_makes_version_n_plus_1_and_keeps_the_computed_figures(
    client_for, ada, audrey
) -> None:  # noqa: ANN001
    record = held_discussion(agencies=3)
    before = draw(record, audrey)
    old = before.question_set
    old_texts = list(old.questions.values_list("text", flat=True))
    timescale = next(q for q in old.questions.all() if q.computed == "timescale")
    second = next(q for q in old.questions.all() if q.computed not in ("", "timescale"))

    response = client_for(ada).post(
        QUESTIONS_URL,
        form_data(
            old,
            **{
                f"q{timescale.pk}": "Was the discussion held soon enough?",
                f"q{second.pk}_remove": "on",
                "new_1": "Was the child's voice heard?",
            },
        ),
    )

    assert response.status_code == 302
    revised = AuditQuestionSet.objects.order_by("-version").first()
    assert revised.version == old.version + 1
    assert revised.created_by == ada
    questions = list(revised.questions.values_list("number", "text", "computed"))
    assert len(questions) == len(old_texts)  # one removed, one added
    assert ("Was the discussion held soon enough?", "timescale") in [q[1:] for q in questions]
    assert second.text not in [q[1] for q in questions]
    assert questions[-1] == (len(old_texts), "Was the child's voice heard?", "")
    assert [q[0] for q in questions] == list(range(1, len(old_texts) + 1))

    # The audit drawn before keeps its questions, on its page and in its report.
    before.refresh_from_db()
    assert before.question_set == old
    assert list(old.questions.values_list("text", flat=True)) == old_texts
    reader = client_for(audrey)
    old_page = reader.get(reverse("dashboards:case_audit", args=[before.pk])).text
    assert second.text in old_page
    assert "Was the child&#x27;s voice heard?" not in old_page
    item = before.items.get()
    assert (
        "Was the child"
        not in reader.get(reverse("dashboards:case_audit_item", args=[before.pk, item.pk])).text
    )

    # An audit drawn after uses the new version.
    after = draw(record, audrey)
    assert after.question_set == revised
    assert (
        "Was the child&#x27;s voice heard?"
        in reader.get(reverse("dashboards:case_audit", args=[after.pk])).text
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ("empty", "Enter question 1, or remove it"),
        ("long", "Question 1 must be 300 characters or fewer"),
        ("long new", "New question 1 must be 300 characters or fewer"),
        ("none left", "Keep at least one question, or add one"),
    ],
)
def test_errors_say_what_to_fix_and_save_nothing(client_for, ada, change, error) -> None:  # noqa: ANN001
    current = AuditQuestionSet.objects.order_by("-version").first()
    first = current.questions.first()
    changes = {
        "empty": {f"q{first.pk}": "   "},
        "long": {f"q{first.pk}": "x" * 301},
        "long new": {"new_1": "y" * 301},
        "none left": {f"q{q.pk}_remove": "on" for q in current.questions.all()},
    }[change]

    page = client_for(ada).post(QUESTIONS_URL, form_data(current, **changes))

    assert page.status_code == 200
    assert "govuk-error-summary" in page.text
    assert error in page.text
    assert page.text.count(error) == 2  # in the summary and beside the field
    assert AuditQuestionSet.objects.order_by("-version").first() == current


def test_a_page_opened_before_someone_else_saved_saves_nothing(client_for, ada) -> None:  # noqa: ANN001
    current = AuditQuestionSet.objects.order_by("-version").first()
    client = client_for(ada)
    stale = form_data(current)
    client.post(QUESTIONS_URL, form_data(current, new_1="Was the family told?"))

    response = client.post(
        QUESTIONS_URL, {**stale, "new_1": "Was the school invited?"}, follow=True
    )

    assert "Someone changed the questions after you opened them" in response.text
    latest = AuditQuestionSet.objects.order_by("-version").first()
    assert latest.version == current.version + 1
    assert not latest.questions.filter(text="Was the school invited?").exists()


def test_only_administrators_edit_the_questions(client_for, audrey, answered) -> None:  # noqa: ANN001
    current = AuditQuestionSet.objects.order_by("-version").first()
    for person in (audrey, answered.record.manager, answered.record.chair):
        client = client_for(person)
        assert client.get(QUESTIONS_URL).status_code == 404
        assert client.post(QUESTIONS_URL, form_data(current, new_1="Mine?")).status_code == 404
    assert AuditQuestionSet.objects.order_by("-version").first() == current


def test_the_case_audits_page_links_administrators_to_the_editor(client_for, ada, audrey) -> None:  # noqa: ANN001
    assert QUESTIONS_URL in client_for(ada).get("/dashboards/case-audits/").text
    assert QUESTIONS_URL not in client_for(audrey).get("/dashboards/case-audits/").text
