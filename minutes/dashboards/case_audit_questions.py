"""The administrators' editor for the case audit's questions. Saving makes a new version
(minutes.case_audit.question_set_revise); audits already drawn keep the version they were
drawn with. A question that sits beside a computed figure keeps its figure when reworded; a
new question has none."""

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.access import current_user, role_required
from agencies.models import Role
from config.gds_forms import gds_helper
from config.input_limits import BoundedInput
from minutes import case_audit
from minutes.models import AuditQuestionSet

administrators = role_required(Role.ADMINISTRATOR)

# Blank rows for new questions; an administrator who needs more saves and is given more.
NEW_QUESTIONS = 3
STALE = "Someone changed the questions after you opened them. Check them and save again."


class QuestionsForm(BoundedInput, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, question_set: AuditQuestionSet | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(question_set.questions.all()) if question_set else []
        limit = case_audit.QUESTION_TEXT_LIMIT
        layout = []
        for question in self.questions:
            text, remove = f"q{question.pk}", f"q{question.pk}_remove"
            label = case_audit.COMPUTED_LABELS.get(question.computed)
            self.fields[text] = forms.CharField(
                label=f"Question {question.number}",
                initial=question.text,
                required=False,
                max_length=limit,
                help_text=(
                    f"The report sets the record's figure beside it: {label}."
                    if label
                    else "Nothing computed from the record sits beside it."
                ),
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": f"Question {question.number} must be {limit} characters or fewer"
                },
            )
            self.fields[remove] = forms.BooleanField(
                label=f"Remove question {question.number}", required=False
            )
            layout.append(
                Fieldset(
                    Field.textarea(text),
                    Field.checkbox(remove, small=True),
                    legend=f"Question {question.number}",
                    legend_size="s",
                )
            )
        for number in range(1, NEW_QUESTIONS + 1):
            self.fields[f"new_{number}"] = forms.CharField(
                label=f"New question {number} (optional)",
                required=False,
                max_length=limit,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": f"New question {number} must be {limit} characters or fewer"
                },
            )
        layout.append(
            Fieldset(
                *(Field.textarea(f"new_{n}") for n in range(1, NEW_QUESTIONS + 1)),
                legend="Add questions",
                legend_size="s",
            )
        )
        self.helper = gds_helper(*layout, submit="Save as a new version")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        revised: list[tuple[str, str]] = []
        for question in self.questions:
            text = f"q{question.pk}"
            if cleaned.get(f"{text}_remove") or text in self.errors:
                continue
            if not cleaned.get(text, "").strip():
                self.add_error(text, f"Enter question {question.number}, or remove it")
            revised.append((cleaned.get(text, "").strip(), question.computed))
        for number in range(1, NEW_QUESTIONS + 1):
            if cleaned.get(f"new_{number}", "").strip():
                revised.append((cleaned[f"new_{number}"].strip(), ""))
        if not revised and not self.errors:
            self.add_error("new_1", "Keep at least one question, or add one")
        self.revised = revised
        return cleaned


@administrators
def case_audit_questions(request: HttpRequest) -> HttpResponse:
    current = AuditQuestionSet.objects.order_by("-version").first()
    version = current.version if current else 0
    form = QuestionsForm(request.POST or None, question_set=current)
    if request.method == "POST" and request.POST.get("version") != str(version):
        # The page was made from an older version: its fields are not today's questions.
        messages.error(request, STALE)
        return redirect("dashboards:case_audit_questions")
    if request.method == "POST" and form.is_valid():
        try:
            revised = case_audit.question_set_revise(
                questions=form.revised,
                revised_by=current_user(request),
                based_on=form.cleaned_data["version"],
            )
        except ValidationError as error:
            # Someone else saved first: show them the questions as they are now.
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Questions saved as version {revised.version}")
        return redirect("dashboards:case_audit_questions")
    versions = AuditQuestionSet.objects.select_related("created_by").annotate(
        audit_count=Count("audits")
    )
    return render(
        request,
        "dashboards/case_audit_questions.html",
        {"question_set": current, "version": version, "form": form, "versions": versions[:20]},
    )
