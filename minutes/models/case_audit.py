"""The partnership's multi-agency case audit: a sample of discussions, each answered
against a versioned set of questions, with an overall grade.

Question sets are versioned: editing the questions makes a new set, and an audit keeps the
set it was answered with, so old audits keep their questions."""

from django.conf import settings
from django.db import models


class AuditQuestionSet(models.Model):
    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Audit questions, version {self.version}"


class AuditQuestion(models.Model):
    question_set = models.ForeignKey(
        AuditQuestionSet, on_delete=models.CASCADE, related_name="questions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    # Which computed figure (minutes.case_audit.COMPUTED) sits beside the answer, if any.
    computed = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "number"], name="one_question_number")
        ]

    def __str__(self) -> str:
        return self.text


class Grade(models.TextChoices):
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class CaseAudit(models.Model):
    """One audit of a period's discussions, by the partnership's audit group."""

    period_start = models.DateField()
    period_end = models.DateField()
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question_set = models.ForeignKey(
        AuditQuestionSet, on_delete=models.PROTECT, related_name="audits"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    random_sample = models.BooleanField(default=True)
    learning_points = models.TextField(blank=True)

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"Case audit {self.period_start} to {self.period_end}"


class CaseAuditItem(models.Model):
    """One discussion in the sample, with the auditor's overall grade."""

    audit = models.ForeignKey(CaseAudit, on_delete=models.CASCADE, related_name="items")
    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    # The optional letter to the discussion's chair when the grade is good: owed once.
    letter_owed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["discussion__held_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "discussion"], name="sampled_once")]

    def __str__(self) -> str:
        return f"{self.audit}: {self.discussion}"


class CaseAuditAnswer(models.Model):
    item = models.ForeignKey(CaseAuditItem, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(AuditQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer}"
