"""The multi-agency case audit on the seed audit's ten discussions: draw, answer, report,
CSV, and questions that keep their version."""

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from minutes.case_audit import (
    CSV_COLUMNS,
    case_audit_answer,
    case_audit_csv_rows,
    case_audit_draw,
    case_audit_report,
    question_set_current,
    question_set_revise,
)
from tests.dashboards.test_seed_audit import DELAYED, seed_audit  # noqa: F401

START, END = date(2026, 3, 1), date(2026, 3, 18)


@pytest.fixture
def audrey(p):  # noqa: ANN001
    from tests.factories import UserFactory

    return UserFactory(username="audrey", role="auditor")


def test_a_random_sample_is_drawn_from_discussions_held_in_the_period(seed_audit, audrey) -> None:  # noqa: ANN001, F811
    audit = case_audit_draw(start=START, end=END, drawn_by=audrey, size=4, rng=random.Random(7))

    assert audit.items.count() == 4
    assert audit.random_sample
    assert audit.question_set.version == 1
    assert len(set(audit.items.values_list("discussion_id", flat=True))) == 4


def test_a_chosen_sample_must_be_in_the_period(seed_audit, audrey, p) -> None:  # noqa: ANN001, F811
    from tests.dashboards import builders as b

    outside = b.discussion(p, held_at=b.at(2, 10, month=2))
    with pytest.raises(ValidationError):
        case_audit_draw(start=START, end=END, drawn_by=audrey, chosen=[outside.pk])


def test_the_report_sets_answers_beside_the_record_and_counts_findings(seed_audit, audrey) -> None:  # noqa: ANN001, F811
    audit = case_audit_draw(start=START, end=END, drawn_by=audrey, size=10)
    questions = list(audit.question_set.questions.all())
    timescale = next(q for q in questions if q.computed == "timescale")
    for item in audit.items.select_related("discussion"):
        late = item.discussion.held_at.day in DELAYED
        answers = {q.pk: ("yes", "") for q in questions}
        # The auditor calls every discussion timely: three disagree with the record.
        answers[timescale.pk] = ("yes", "Seemed timely.")
        grade = "good" if item.discussion.held_at.day in (2, 3) else "requires_improvement"
        case_audit_answer(item=item, answers=answers, grade=grade)
        assert late == (item.discussion.held_at.day in DELAYED)

    report = case_audit_report(audit)

    lines = {line.question.computed: line for line in report.lines}
    assert (lines["timescale"].computed_met, lines["timescale"].computed_not_met) == (7, 3)
    assert lines["timescale"].disagreements == 3
    assert lines["statutory_partners"].computed_not_met == 4
    assert lines["gps"].computed_not_met == 10
    assert lines[""].answers["yes"] == 10
    assert report.grades["good"] == 2
    assert "2 of 10 graded good" in report.findings()
    late_cells = [
        cell
        for row in report.rows
        for cell in row.cells
        if cell["question"] == timescale and not cell["agrees"]
    ]
    assert len(late_cells) == 3

    rows = case_audit_csv_rows(report)
    assert CSV_COLUMNS == ("Discussion", "Held", "Question", "Answer", "Comment",
                           "Computed from the record", "Agrees", "Overall grade")  # fmt: skip
    assert len(rows) == 10 * len(questions)
    # Every answer was yes: the record disagrees on 3 timescales, 4 discussions missing a
    # statutory partner's information and 4 its taking part, 1 housing and 10 GPs.
    assert sum(1 for row in rows if row[6] == "No") == 3 + 4 + 4 + 1 + 10


def test_every_question_needs_an_answer(seed_audit, audrey) -> None:  # noqa: ANN001, F811
    audit = case_audit_draw(start=START, end=END, drawn_by=audrey, size=1)
    with pytest.raises(ValidationError):
        case_audit_answer(item=audit.items.get(), answers={}, grade="good")


def test_revised_questions_are_a_new_version_and_old_audits_keep_theirs(seed_audit, audrey) -> None:  # noqa: ANN001, F811
    old = case_audit_draw(start=START, end=END, drawn_by=audrey, size=2)

    revised = question_set_revise(
        questions=[("Was the child's voice heard?", ""), ("Timescale?", "timescale")],
        revised_by=audrey,
    )

    assert revised.version == 2
    assert question_set_current() == revised
    assert old.question_set.version == 1
    assert old.question_set.questions.count() == 7
    assert case_audit_draw(start=START, end=END, drawn_by=audrey, size=1).question_set == revised


def test_the_auditor_draws_answers_and_reads_the_report(seed_audit, audrey, client_for) -> None:  # noqa: ANN001, F811
    from minutes.models import CaseAudit
    from tests.dashboards.test_exports import download

    client = client_for(audrey)
    response = client.post(
        "/dashboards/case-audits/",
        {"start_0": "1", "start_1": "3", "start_2": "2026", "end_0": "18", "end_1": "3",
         "end_2": "2026", "size": "3", "chosen": ""},
    )  # fmt: skip
    audit = CaseAudit.objects.get()
    assert response["Location"] == f"/dashboards/case-audits/{audit.pk}/"
    item = audit.items.select_related("discussion").first()
    questions = list(audit.question_set.questions.all())
    answers = {f"q{q.pk}": "no" for q in questions}
    answers.update({f"q{q.pk}_comment": "" for q in questions})

    saved = client.post(
        f"/dashboards/case-audits/{audit.pk}/discussions/{item.pk}/",
        {**answers, "grade": "inadequate"},
    )

    assert saved.status_code == 302
    page = client.get(f"/dashboards/case-audits/{audit.pk}/").text
    assert "Inadequate" in page
    assert "Disagrees" in page  # the record says the plan had actions; the auditor said no
    client.post(
        f"/dashboards/case-audits/{audit.pk}/",
        {"learning_points": "Invite the GP of every child and parent."},
    )
    audit.refresh_from_db()
    assert audit.learning_points == "Invite the GP of every child and parent."
    rows = download(client, f"/dashboards/case-audits/{audit.pk}/report.csv")
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + 3 * len(questions)


def test_a_manager_reads_reports_but_does_not_draw(seed_audit, audrey, client_for, maya) -> None:  # noqa: ANN001, F811
    audit = case_audit_draw(start=START, end=END, drawn_by=audrey, size=2)
    client = client_for(maya)

    assert "Draw the sample" not in client.get("/dashboards/case-audits/").text
    assert client.get(f"/dashboards/case-audits/{audit.pk}/").status_code == 200
    client.post(f"/dashboards/case-audits/{audit.pk}/", {"learning_points": "Not mine to write"})
    audit.refresh_from_db()
    assert audit.learning_points == ""
    item = audit.items.first()
    assert (
        client.get(f"/dashboards/case-audits/{audit.pk}/discussions/{item.pk}/").status_code == 404
    )
