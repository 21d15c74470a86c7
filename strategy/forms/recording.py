from typing import Any

from crispy_forms_gds.layout import (
    HTML,
    ConditionalQuestion,
    ConditionalRadios,
    Div,
    Field,
    Fieldset,
)
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html

from config.input_limits import column_length
from strategy.forms.base import RevisionForm, combine_local, date_field, time_field
from strategy.models import Attendance, Discussion, Invitee
from strategy.models.discussion import timescale_text

# Attendance in one row of small radios, in the issue's own short words.
ATTENDANCE_CHOICES = [
    (Attendance.INVITED.value, "Not recorded"),
    (Attendance.ATTENDED.value, "Attended"),
    (Attendance.APOLOGIES.value, "Apologies"),
    (Attendance.INFORMATION_ONLY.value, "Information only"),
    (Attendance.DID_NOT_ATTEND.value, "Did not attend"),
]
HALF = "govuk-grid-column-one-half"


class Snippet:
    """Markup already escaped, placed in a layout as it is (crispy's HTML() would run it as a
    template, so a value typed by someone could reach the template engine)."""

    def __init__(self, html: str) -> None:
        self.html = html

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self.html


def information_status(invitee: Invitee, url: str) -> str:
    """One line under an agency's attendance: what it shared so far, and where to record it."""
    name = invitee.agency.name
    if invitee.information_shared or invitee.scaling is not None:
        scaling = invitee.scaling
        state = "recorded" + (f", scaling {scaling} out of 10" if scaling is not None else "")
        action, hidden = "Change", f" the information shared by {name}"
    else:
        state, action, hidden = "not recorded", "Add information shared", f" by {name}"
    return format_html(
        '<p class="govuk-body-s">Information shared: {}. <a class="govuk-link" href="{}">{}'
        '<span class="govuk-visually-hidden">{}</span></a></p>',
        state,
        url,
        action,
        hidden,
    )


class AttendanceForm(RevisionForm):
    """When it was held, and one short row per invited agency: attendance and who took part.
    What each agency shared is recorded on a page of its own (InformationForm), linked from
    the row; query goes on those links (?back=final when opened from the check page)."""

    held_on = date_field("Date it was held")
    held_time = time_field("Time it started")

    def __init__(self, *args: Any, discussion: Discussion, query: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = timezone.localtime(discussion.held_at or discussion.scheduled_for)
        self.fields["held_on"].initial = held.date()
        self.fields["held_time"].initial = held.strftime("%H:%M")
        self.invitees = list(discussion.invitees.select_related("agency"))
        self.fields["all_attended"] = forms.BooleanField(
            label="Every agency attended, apart from those marked otherwise below",
            help_text="Then mark only the agencies that sent apologies, sent information only "
            "or did not attend.",
            required=False,
        )
        sections = []
        for invitee in self.invitees:
            p, name = f"i{invitee.pk}_", invitee.agency.name
            self.fields[p + "attendance"] = forms.ChoiceField(
                label="",  # the agency's legend names the group: no second legend
                choices=ATTENDANCE_CHOICES,
                initial=invitee.attendance,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select the attendance of {name}"},
            )
            self.fields[p + "representative"] = forms.CharField(
                label="Who took part (name and role)",
                max_length=column_length(Invitee, "representative"),
                required=False,
                initial=invitee.representative,
            )
            self.fields[p + "can_make_decisions"] = forms.TypedChoiceField(
                label="Can they make decisions?",
                choices=[("", "Not recorded"), ("yes", "Yes"), ("no", "No")],
                coerce=lambda v: {"yes": True, "no": False}.get(v),
                empty_value=None,
                required=False,
                initial=""
                if invitee.can_make_decisions is None
                else ("yes" if invitee.can_make_decisions else "no"),
            )
            url = reverse("strategy:information", args=[discussion.pk, invitee.pk]) + query
            sections.append(
                Fieldset(
                    Field.radios(p + "attendance", small=True, inline=True),
                    Div(
                        Div(Field.text(p + "representative"), css_class=HALF),
                        Div(Field.select(p + "can_make_decisions"), css_class=HALF),
                        css_class="govuk-grid-row",
                    ),
                    Snippet(information_status(invitee, url)),
                    legend=escape(name),  # crispy-forms-gds marks legends and labels safe
                    legend_size="m",
                    css_id=f"agency-{invitee.pk}",
                )
            )
        self.due_on = discussion.timescale_due_on
        timeliness = []
        if self.due_on is not None:
            self.fields["within_timescale"] = forms.ChoiceField(
                label=f"Was it held by {self.due_on.day} {self.due_on:%B %Y}, within its "
                "timescale?",
                help_text=f"{discussion.get_urgency_display()}: "
                f"{timescale_text(discussion.urgency)} of "
                + ("the emergency action" if discussion.emergency_action_at else "the concern"),
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                initial=self._timeliness_answered(discussion),
                error_messages={"required": "Select whether it was held within its timescale"},
            )
            self.fields["delay_reason"] = forms.CharField(
                label="Reason for the delay",
                required=False,
                initial=discussion.delay_reason,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            timeliness = [
                ConditionalRadios(
                    "within_timescale", "Yes", ConditionalQuestion("No", Field("delay_reason"))
                )
            ]
        self.helper = self.gds_helper(
            Fieldset(Field("held_on"), Field.text("held_time"), legend="When it was held"),
            *timeliness,
            HTML('<hr class="govuk-section-break govuk-section-break--m">'),
            *([Field.checkbox("all_attended")] if self.invitees else []),
            *sections,
            submit="Save attendance",
        )

    def _timeliness_answered(self, discussion: Discussion) -> str | None:
        """The answer given when attendance was last saved: "no" is kept as its reason, and
        "yes" could only be saved for a discussion held within its timescale."""
        if discussion.delay_reason:
            return "no"
        held = discussion.held_at
        if held is not None and self.due_on is not None and timezone.localdate(held) <= self.due_on:
            return "yes"
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("held_on") and data.get("held_time"):
            data["held_at"] = combine_local(data["held_on"], data["held_time"])
            if data["held_at"] > timezone.now():
                self.add_error("held_on", "The discussion cannot be recorded as held in the future")
            self._clean_timeliness(data)
        if data.get("all_attended"):
            # A shortcut the chair ticks, never a default: only agencies still unrecorded.
            for invitee in self.invitees:
                if data.get(f"i{invitee.pk}_attendance") == Attendance.INVITED:
                    data[f"i{invitee.pk}_attendance"] = Attendance.ATTENDED
        return data

    def _clean_timeliness(self, data: dict[str, Any]) -> None:
        """A late discussion needs its reason; the answer must agree with the dates."""
        if self.due_on is None or "within_timescale" not in data:
            return
        answer = data["within_timescale"]
        late = timezone.localdate(data["held_at"]) > self.due_on
        due = f"{self.due_on.day} {self.due_on:%B %Y}"
        if late and answer == "yes":
            self.add_error(
                "within_timescale",
                f"It was held after {due}, the end of its timescale: select No",
            )
        elif answer == "no" and not data.get("delay_reason", "").strip():
            self.add_error("delay_reason", "Enter the reason for the delay")
        if answer == "yes" and not late:
            data["delay_reason"] = ""

    def rows(self) -> dict[int, dict[str, Any]]:
        names = ["attendance", "representative", "can_make_decisions"]
        return {
            i.pk: {n: self.cleaned_data.get(f"i{i.pk}_{n}") for n in names} for i in self.invitees
        }


class InformationForm(RevisionForm):
    """What one agency shared at the discussion, on a page of its own."""

    information_shared = forms.CharField(
        label="Information shared",
        help_text="Give context: the nature of an offence, the impact on the child.",
        required=False,
        widget=forms.Textarea,
    )
    scaling = forms.IntegerField(
        label="Scaling, 0 to 10 (optional)",
        help_text="0: the child will certainly be harmed. 10: the child is safe.",
        min_value=0,
        max_value=10,
        required=False,
        error_messages={
            "min_value": "Scaling must be between 0 and 10",
            "max_value": "Scaling must be between 0 and 10",
            "invalid": "Scaling must be a whole number from 0 to 10",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, invitee: Invitee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["information_shared"].initial = invitee.information_shared
        self.fields["scaling"].initial = invitee.scaling
        self.helper = self.gds_helper(
            Field.textarea("information_shared", rows=8),
            Field.text("scaling"),
            submit="Save information shared",
        )


class AnalysisForm(RevisionForm):
    worries = forms.CharField(
        label="What are we worried about?", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    working_well = forms.CharField(
        label="What is working well?", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    danger_statement = forms.CharField(
        label="Danger statement", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    safety_goal = forms.CharField(
        label="Safety goal", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self.gds_helper(
            *(
                Field.textarea(n)
                for n in ("worries", "working_well", "danger_statement", "safety_goal")
            ),
            submit="Save analysis",
        )


class ChildVoiceForm(RevisionForm):
    voice = forms.CharField(
        label="The child's wishes and feelings",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Record the child's voice, or why it could not be obtained"},
    )
    obtained = forms.CharField(
        label="How the child's voice was obtained",
        help_text="For example: seen alone at school by the social worker on 3 March.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how the child's voice was obtained"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self.gds_helper(
            Field.textarea("voice"), Field.textarea("obtained"), submit="Save child's voice"
        )


class PlanForm(RevisionForm):
    contingency_plan = forms.CharField(
        label="Contingency plan", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    shared_with_family = forms.CharField(
        label="What will be shared with the family",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_with_family_on = date_field("When it will be shared", required=False)
    shared_with_family_by = forms.CharField(
        label="Who will share it",
        max_length=column_length(Discussion, "shared_with_family_by"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self.gds_helper(
            Field.textarea("contingency_plan"),
            Field.textarea("shared_with_family"),
            Field("shared_with_family_on"),
            Field.text("shared_with_family_by"),
            submit="Save plan",
        )
