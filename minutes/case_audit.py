"""The multi-agency case audit: draw a sample, answer the questions, report.

Beside each answer sits what the record computes for the same question (the audit
figures' definitions, minutes.dashboards.measures), so the report shows where the auditor
and the record disagree."""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, Value, When
from django.utils import timezone

from agencies.models import User
from minutes.dashboards import measures as m
from minutes.dashboards.audit import discussions_held
from minutes.dashboards.filters import Filters
from minutes.models import (
    Answer,
    AuditQuestion,
    AuditQuestionSet,
    CaseAudit,
    CaseAuditAnswer,
    CaseAuditItem,
    Grade,
)

# What the record computes for a question, per discussion: (applies, met). A question that
# does not apply (no known GP, housing not a factor, no concern date) computes nothing.
COMPUTED_LABELS = {
    "timescale": "Held within timescale",
    "information": "Information recorded from police, health and children's social care",
    "statutory_partners": "Police, health and children's social care took part",
    "housing": "Housing attended or sent information",
    "gps": "Every known GP invited and sent the minutes",
    "plans": "At least one action with an agency, a person and a date",
}


def _conditions(filters: Filters) -> dict[str, tuple[Q, Q]]:
    measures = m.DiscussionMeasures(filters)
    shared = (
        measures.information_shared_by("police")
        & measures.information_shared_by("health")
        & measures.information_shared_by("childrens_social_care")
    )
    return {
        "timescale": (m.timescale_known(), m.held_within_timescale()),
        "information": (Q(pk__isnull=False), shared),
        "statutory_partners": (Q(pk__isnull=False), measures.statutory_partners_took_part),
        "housing": (measures.housing_flagged, measures.housing_involved),
        "gps": (
            measures.gp_known,
            measures.every_known_gp_invited & measures.every_known_gp_sent_minutes,
        ),
        "plans": (Q(pk__isnull=False), measures.plan_with_actions),
    }


def computed_for(audit: CaseAudit) -> dict[int, dict[str, bool | None]]:
    """Per sampled discussion: each computed figure as True, False or None (not applicable)."""
    filters = Filters(team_id=audit.team_id, start=audit.period_start, end=audit.period_end)
    annotations: dict[str, Any] = {}
    for key, (applies, met) in _conditions(filters).items():
        annotations[key] = Case(
            When(~applies, then=Value(None)),
            default=ExpressionWrapper(met, output_field=BooleanField()),
            output_field=BooleanField(null=True),
        )
    rows = (
        discussions_held(filters)
        .filter(pk__in=audit.items.values("discussion_id"))
        .annotate(**annotations)
        .values("pk", *annotations)
    )
    return {row.pop("pk"): row for row in rows}


def question_set_current() -> AuditQuestionSet:
    found = AuditQuestionSet.objects.order_by("-version").first()
    if found is None:
        raise ValidationError("No audit questions have been set up")
    return found


QUESTION_TEXT_LIMIT = AuditQuestion._meta.get_field("text").max_length or 300


@transaction.atomic
def question_set_revise(
    *,
    questions: list[tuple[str, str]],
    revised_by: User | None,
    based_on: int | None = None,
) -> AuditQuestionSet:
    """A new version of the questions; audits already drawn keep theirs.

    based_on: the version the editor started from (0: none yet). If someone revised the
    questions since, nothing is saved, so no administrator silently undoes another's change."""
    locked = AuditQuestionSet.objects.select_for_update().order_by("-version").first()
    # Read again once the lock is ours: a revision that held it first is committed now.
    current = AuditQuestionSet.objects.order_by("-version").first() if locked else None
    if based_on is not None and (current.version if current else 0) != based_on:
        raise ValidationError(
            "Someone changed the questions after you opened them. Check them and save again."
        )
    if not questions:
        raise ValidationError("Keep at least one question")
    for text, _ in questions:
        if not text.strip():
            raise ValidationError("Every question needs its text")
        if len(text) > QUESTION_TEXT_LIMIT:
            raise ValidationError(f"Questions must be {QUESTION_TEXT_LIMIT} characters or fewer")
    revised = AuditQuestionSet.objects.create(
        version=(current.version + 1) if current else 1, created_by=revised_by
    )
    for number, (text, computed) in enumerate(questions, start=1):
        if computed and computed not in COMPUTED_LABELS:
            raise ValidationError(f"Unknown computed figure: {computed}")
        AuditQuestion.objects.create(
            question_set=revised, number=number, text=text.strip(), computed=computed
        )
    return revised


@transaction.atomic
def case_audit_draw(
    *,
    start: date,
    end: date,
    drawn_by: User,
    size: int = 10,
    team_id: int | None = None,
    chosen: list[int] | None = None,
    rng: random.Random | None = None,
) -> CaseAudit:
    """A sample of the discussions held in the period: chosen ones, or `size` at random."""
    population = list(
        discussions_held(Filters(team_id=team_id, start=start, end=end))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if chosen is not None:
        outside = set(chosen) - set(population)
        if outside:
            raise ValidationError("Choose discussions held in the period")
        sample = sorted(set(chosen))
    else:
        sample = sorted(
            (rng or random.SystemRandom()).sample(population, min(size, len(population)))
        )
    if not sample:
        raise ValidationError("No discussions were held in the period")
    audit = CaseAudit.objects.create(
        period_start=start,
        period_end=end,
        team_id=team_id,
        question_set=question_set_current(),
        drawn_by=drawn_by,
        random_sample=chosen is None,
    )
    CaseAuditItem.objects.bulk_create(CaseAuditItem(audit=audit, discussion_id=pk) for pk in sample)
    return audit


@transaction.atomic
def case_audit_answer(
    *, item: CaseAuditItem, answers: dict[int, tuple[str, str]], grade: str
) -> CaseAuditItem:
    """The auditor's answer to every question of the audit's set, and the overall grade."""
    questions = {q.pk: q for q in item.audit.question_set.questions.all()}
    if set(answers) != set(questions):
        raise ValidationError("Answer every question")
    if grade not in Grade.values:
        raise ValidationError("Give an overall grade")
    for question_id, (answer, comment) in answers.items():
        if answer not in Answer.values:
            raise ValidationError("Answer yes, partly or no")
        CaseAuditAnswer.objects.update_or_create(
            item=item,
            question=questions[question_id],
            defaults={"answer": answer, "comment": comment},
        )
    item.grade = grade
    item.graded_at = timezone.now()
    item.save(update_fields=["grade", "graded_at"])
    return item


@dataclass
class ReportLine:
    question: AuditQuestion
    answers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Answer.values, 0))
    computed_met: int = 0
    computed_not_met: int = 0
    disagreements: int = 0


@dataclass
class ReportRow:
    item: CaseAuditItem
    cells: list[dict[str, Any]]


@dataclass
class CaseAuditReport:
    audit: CaseAudit
    rows: list[ReportRow]
    lines: list[ReportLine]
    grades: dict[str, int]

    def findings(self) -> list[str]:
        """Counts as an audit report words them: "3 of 10 were not held within timescale"."""
        total = len(self.rows)
        found = []
        for line in self.lines:
            no = line.answers[Answer.NO] + line.answers[Answer.PARTLY]
            found.append(
                f"{line.question.text}: yes in {line.answers[Answer.YES]} of {total}, "
                f"partly in {line.answers[Answer.PARTLY]}, no in {line.answers[Answer.NO]}"
                + (f" ({no} short of it)" if no else "")
            )
        good = self.grades.get(Grade.GOOD, 0)
        found.append(f"{good} of {total} graded good")
        return found


def _agrees(answer: str | None, computed: bool | None) -> bool:
    if answer is None or computed is None:
        return True
    return (answer == Answer.YES) == computed


def case_audit_report(audit: CaseAudit) -> CaseAuditReport:
    questions = list(audit.question_set.questions.all())
    computed = computed_for(audit)
    items = list(audit.items.select_related("discussion").prefetch_related("answers"))
    lines = {q.pk: ReportLine(question=q) for q in questions}
    rows = []
    grades: dict[str, int] = dict.fromkeys(Grade.values, 0)
    for item in items:
        given = {a.question_id: a for a in item.answers.all()}
        figures = computed.get(item.discussion_id, {})
        cells = []
        for question in questions:
            answer = given.get(question.pk)
            value = figures.get(question.computed) if question.computed else None
            agrees = _agrees(answer.answer if answer else None, value)
            line = lines[question.pk]
            if answer:
                line.answers[answer.answer] += 1
            if value is True:
                line.computed_met += 1
            elif value is False:
                line.computed_not_met += 1
            line.disagreements += not agrees
            cells.append(
                {"question": question, "answer": answer, "computed": value, "agrees": agrees}
            )
        if item.grade:
            grades[item.grade] += 1
        rows.append(ReportRow(item=item, cells=cells))
    return CaseAuditReport(
        audit=audit, rows=rows, lines=[lines[q.pk] for q in questions], grades=grades
    )


CSV_COLUMNS = (
    "Discussion",
    "Held",
    "Question",
    "Answer",
    "Comment",
    "Computed from the record",
    "Agrees",
    "Overall grade",
)


def case_audit_csv_rows(report: CaseAuditReport) -> list[tuple[Any, ...]]:
    rows = []
    for row in report.rows:
        for cell in row.cells:
            answer = cell["answer"]
            computed = cell["computed"]
            rows.append(
                (
                    row.item.discussion.reference,
                    row.item.discussion.held_at,
                    cell["question"].text,
                    answer.get_answer_display() if answer else "",
                    answer.comment if answer else "",
                    "" if computed is None else ("Yes" if computed else "No"),
                    "Yes" if cell["agrees"] else "No",
                    row.item.get_grade_display(),
                )
            )
    return rows
