"""The case audit's pages: the audit group draws a sample and answers it; managers and
administrators read the reports. Thin: forms in, services out (minutes.case_audit)."""

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_POST

from agencies.access import current_user, role_required
from agencies.models import Role, Team
from config.gds_forms import gds_helper
from config.input_limits import BoundedInput
from minutes import case_audit, case_audit_pdf
from minutes.case_audit_letters import good_practice_letters_send
from minutes.dashboards import exports
from minutes.dashboards.filters import period_date
from minutes.models import Answer, CaseAudit, CaseAuditItem, Grade
from strategy.forms.base import errors_onto
from strategy.models import Discussion

auditors = role_required(Role.AUDITOR)
report_readers = role_required(Role.AUDITOR, Role.MANAGER, Role.ADMINISTRATOR)


class DrawForm(BoundedInput, forms.Form):
    start = period_date("Discussions held from")
    end = period_date("Discussions held to")
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.all(), required=False, empty_label="All teams"
    )
    size = forms.IntegerField(
        label="How many to sample at random",
        min_value=1,
        max_value=100,
        initial=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={"required": "Enter how many to sample"},
    )
    chosen = forms.CharField(
        label="Or choose them by reference (optional)",
        help_text="Separate references with commas, for example SD-2026-00012, SD-2026-00015.",
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].required = True
        self.fields["end"].required = True
        self.helper = gds_helper(
            Fieldset(Field("start"), Field("end"), legend="Period"),
            Field.select("team"),
            Field.text("size"),
            Field.text("chosen"),
            submit="Draw the sample",
        )

    def chosen_ids(self) -> list[int] | None:
        references = [r.strip() for r in self.cleaned_data["chosen"].split(",") if r.strip()]
        if not references:
            return None
        found = dict(
            Discussion.objects.filter(reference__in=references).values_list("reference", "pk")
        )
        missing = [r for r in references if r not in found]
        if missing:
            raise ValidationError({"chosen": f"No discussion {', '.join(missing)}"})
        return list(found.values())


class AnswerForm(BoundedInput, forms.Form):
    grade = forms.ChoiceField(
        label="Overall grade",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Give an overall grade"},
    )

    def __init__(self, *args: Any, item: CaseAuditItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(item.audit.question_set.questions.all())
        given = {a.question_id: a for a in item.answers.all()}
        layout = []
        for question in self.questions:
            answer, comment = f"q{question.pk}", f"q{question.pk}_comment"
            self.fields[answer] = forms.ChoiceField(
                label=question.text,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                initial=given[question.pk].answer if question.pk in given else None,
                error_messages={"required": f"Answer: {question.text}"},
            )
            self.fields[comment] = forms.CharField(
                label="Comment",
                required=False,
                initial=given[question.pk].comment if question.pk in given else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            layout.append(
                Fieldset(
                    Field.radios(answer, inline=True, legend_size="s"),
                    Field.textarea(comment),
                    legend=escape(
                        f"{question.number}. {question.text}"
                    ),  # crispy marks legends safe
                    legend_size="s",
                )
            )
        self.fields["grade"].initial = item.grade or None
        self.helper = gds_helper(*layout, Field.radios("grade"), submit="Save answers")

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            q.pk: (self.cleaned_data[f"q{q.pk}"], self.cleaned_data[f"q{q.pk}_comment"])
            for q in self.questions
        }


@report_readers
def case_audits(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = DrawForm(request.POST or None) if user.role == Role.AUDITOR else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            audit = case_audit.case_audit_draw(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                team_id=form.cleaned_data["team"].pk if form.cleaned_data["team"] else None,
                size=form.cleaned_data["size"],
                chosen=form.chosen_ids(),
                drawn_by=user,
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"{audit.items.count()} discussions drawn for the audit")
            return redirect("dashboards:case_audit", pk=audit.pk)
    return render(
        request,
        "dashboards/case_audits.html",
        {"form": form, "audits": CaseAudit.objects.select_related("team", "drawn_by")[:50]},
    )


class LearningForm(BoundedInput, forms.Form):
    learning_points = forms.CharField(
        label="Learning points",
        help_text="What the partnership should learn from this sample.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("learning_points"), submit="Save learning points")


@report_readers
def case_audit_page(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(CaseAudit, pk=pk)
    is_auditor = current_user(request).role == Role.AUDITOR
    form = None
    if is_auditor:
        form = LearningForm(
            request.POST or None, initial={"learning_points": audit.learning_points}
        )
        if request.method == "POST" and form.is_valid():
            audit.learning_points = form.cleaned_data["learning_points"]
            audit.save(update_fields=["learning_points"])
            messages.success(request, "Learning points saved")
            return redirect("dashboards:case_audit", pk=pk)
    return render(
        request,
        "dashboards/case_audit.html",
        {
            "audit": audit,
            "report": case_audit.case_audit_report(audit),
            "is_auditor": is_auditor,
            "learning_form": form,
            "letters_owed": audit.items.filter(
                grade=Grade.GOOD, letter_owed_at__isnull=True
            ).count(),
        },
    )


@auditors
@require_POST
def case_audit_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """The optional letters to the chairs of the discussions graded good."""
    audit = get_object_or_404(CaseAudit, pk=pk)
    sent = good_practice_letters_send(audit=audit)
    if sent:
        messages.success(
            request, f"{sent} letter{'s' if sent != 1 else ''} to chairs queued to send"
        )
    else:
        messages.info(request, "Every discussion graded good has had its letter already")
    return redirect("dashboards:case_audit", pk=pk)


@report_readers
def case_audit_csv(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(CaseAudit, pk=pk)
    return exports.csv_response(
        f"case-audit-{audit.pk}-{timezone.localdate()}.csv",
        case_audit.CSV_COLUMNS,
        case_audit.case_audit_csv_rows(case_audit.case_audit_report(audit)),
    )


@report_readers
def case_audit_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(CaseAudit.objects.select_related("team", "drawn_by"), pk=pk)
    report = case_audit.case_audit_report(audit)
    response = HttpResponse(case_audit_pdf.case_audit_pdf(report), content_type="application/pdf")
    filename = case_audit_pdf.case_audit_pdf_filename(report)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@auditors
def case_audit_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        CaseAuditItem.objects.select_related("audit__question_set", "discussion"),
        pk=item_pk,
        audit_id=pk,
    )
    form = AnswerForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        case_audit.case_audit_answer(
            item=item, answers=form.answers(), grade=form.cleaned_data["grade"]
        )
        messages.success(request, f"Answers for {item.discussion.reference} saved")
        return redirect("dashboards:case_audit", pk=pk)
    return render(request, "dashboards/case_audit_item.html", {"item": item, "form": form})
