from datetime import date
from typing import Any

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Fieldset
from django import forms
from django.utils import timezone
from django.utils.html import escape

from agencies.models import Agency
from config.input_limits import BoundedInput, column_length
from strategy.forms.base import RevisionForm, date_field, gds_helper, time_field
from strategy.models import (
    Action,
    ChildDecision,
    DifferenceAbout,
    Invitee,
    Outcome,
    Position,
    ProfessionalDifference,
)
from strategy.models.decisions import AgencyPosition

YES_NO = [("yes", "Yes"), ("no", "No")]


class DecisionForm(RevisionForm):
    threshold_met = forms.TypedChoiceField(
        label="Is there reasonable cause to suspect the child is suffering, or is likely to "
        "suffer, significant harm?",
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if there is reasonable cause to suspect significant harm"
        },
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Why the significant-harm threshold is or is not met. Required either way.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Give the rationale for the decision, whether the threshold is met or not"
        },
    )
    outcomes = forms.MultipleChoiceField(
        label="Outcomes",
        help_text="Select all that apply.",
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one outcome"},
    )
    further_discussion_on = date_field(
        "Date of the further strategy discussion",
        required=False,
        help_text="Only if a further strategy discussion is an outcome.",
    )
    no_s47_rationale = forms.CharField(
        label="If the threshold is met but there will be no section 47 enquiry, say why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, decision: ChildDecision | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if decision:
            self.fields["threshold_met"].initial = "yes" if decision.threshold_met else "no"
            self.fields["rationale"].initial = decision.rationale
            self.fields["outcomes"].initial = decision.outcomes
            self.fields["further_discussion_on"].initial = decision.further_discussion_on
            self.fields["no_s47_rationale"].initial = decision.no_s47_rationale
        self.helper = self.gds_helper(
            Field.radios("threshold_met", inline=True),
            Field.textarea("rationale"),
            Field.checkboxes("outcomes"),
            Field("further_discussion_on"),
            Field.textarea("no_s47_rationale"),
            submit="Save decision",
        )

    def decision_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "threshold_met": data.get("threshold_met"),
            "rationale": data.get("rationale", ""),
            "outcomes": data.get("outcomes", []),
            "no_s47_rationale": data.get("no_s47_rationale", ""),
            "further_discussion_on": data.get("further_discussion_on"),
        }


REASONED = (Position.DISAGREES.value, Position.ABSTAINS.value)


class PositionsForm(RevisionForm):
    """Each attending agency's position; the reason is asked for under "Disagrees" and
    "Abstains" only (a GOV.UK conditional reveal, so without JavaScript both boxes show and
    the reason is still checked here, not in the browser)."""

    def __init__(
        self, *args: Any, attending: list[Invitee], decision: ChildDecision, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attending = attending
        existing = {p.invitee_id: p for p in decision.positions.all()}
        self.fields["all_agree"] = forms.BooleanField(
            label="Every attending agency agrees, apart from those marked otherwise below",
            help_text="Then mark only the agencies that disagree or abstain, with their reason.",
            required=False,
        )
        sections = [Field.checkbox("all_agree")] if attending else []
        for invitee in attending:
            current = existing.get(invitee.pk)
            # crispy-forms-gds marks legends and labels safe: the agency's name is escaped here.
            name = escape(invitee.agency.name)
            self.fields[f"position_{invitee.pk}"] = forms.ChoiceField(
                label=f"Position of {name}",
                choices=Position.choices,
                widget=forms.RadioSelect,
                initial=current.position if current else None,
                required=False,  # unless "every attending agency agrees" is ticked: see clean
            )
            reveals = []
            for position in REASONED:
                reason = f"reason_{invitee.pk}_{position}"
                self.fields[reason] = forms.CharField(
                    label=f"Why {name} {position}",
                    required=False,
                    initial=current.reason if current and current.position == position else "",
                    widget=forms.Textarea,
                )
                reveals.append(
                    ConditionalQuestion(Position(position).label, Field.textarea(reason, rows=3))
                )
            sections.append(
                Fieldset(
                    ConditionalRadios(f"position_{invitee.pk}", Position.AGREES.label, *reveals),
                    legend=name,
                    legend_size="s",
                )
            )
        self.helper = self.gds_helper(*sections, submit="Save positions")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for invitee in self.attending:
            position = data.get(f"position_{invitee.pk}")
            if not position and data.get("all_agree"):
                position = data[f"position_{invitee.pk}"] = Position.AGREES
            elif not position:
                self.add_error(
                    f"position_{invitee.pk}",
                    f"Select the position of {invitee.agency.name}, or tick that every "
                    "attending agency agrees",
                )
            if position in REASONED and not self.reason(invitee, position).strip():
                self.add_error(
                    f"reason_{invitee.pk}_{position}",
                    f"Give the reason {invitee.agency.name} {position}",
                )
        return data

    def reason(self, invitee: Invitee, position: str) -> str:
        """The reason typed under the position chosen; one typed under another is dropped."""
        if position not in REASONED:
            return ""
        return str(self.cleaned_data.get(f"reason_{invitee.pk}_{position}") or "")

    def positions(self) -> dict[int, tuple[str, str]]:
        positions = {}
        for invitee in self.attending:
            position = self.cleaned_data[f"position_{invitee.pk}"]
            positions[invitee.pk] = (position, self.reason(invitee, position))
        return positions


class ProfessionalDifferenceForm(BoundedInput, forms.Form):
    """Raising a difference: any agency, with any other, about a decision, action or minutes."""

    raising_agency = forms.ModelChoiceField(
        label="Agency raising it",
        queryset=Agency.objects.none(),
        error_messages={"required": "Select the agency raising it"},
    )
    raised_by = forms.CharField(
        label="Who raised it",
        help_text="Name and role.",
        max_length=column_length(ProfessionalDifference, "raised_by"),
        error_messages={"required": "Enter who raised it"},
    )
    with_agency = forms.ModelChoiceField(
        label="Agency it is raised with",
        queryset=Agency.objects.none(),
        required=False,
    )
    raised_with = forms.CharField(
        label="With whom",
        help_text="Name and role.",
        max_length=column_length(ProfessionalDifference, "raised_with"),
        error_messages={"required": "Enter who it was raised with"},
    )
    about = forms.ChoiceField(
        label="What is it about?",
        choices=DifferenceAbout.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the difference is about"},
    )
    raised_on = date_field("When it was raised")
    issue = forms.CharField(
        label="The issue",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the issue"},
    )

    def __init__(
        self,
        *args: Any,
        position: AgencyPosition | None,
        raising_agency: Agency | None = None,
        with_agencies: Any = None,
        submit: str = "Open stage 1 record",
        button_id: str = "id_submit",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.active()  # type: ignore[attr-defined]
        self.fields["raising_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["with_agency"].queryset = (  # type: ignore[attr-defined]
            agencies if with_agencies is None else with_agencies
        )
        self.fields["about"].initial = DifferenceAbout.DECISION
        if position is not None:
            self.fields["raising_agency"].initial = position.invitee.agency_id
            self.fields["raised_by"].initial = position.invitee.representative or str(
                position.invitee.agency
            )
            self.fields["issue"].initial = position.reason
        layout = [Field.select("raising_agency")]
        if raising_agency is not None:
            # A partner, or a receipt-link holder, raises it for their own agency only.
            del self.fields["raising_agency"]
            layout = []
        self.fields["raised_on"].initial = timezone.localdate()
        self.helper = gds_helper(
            *layout,
            Field.text("raised_by"),
            Field.select("with_agency"),
            Field.text("raised_with"),
            Field.radios("about"),
            Field("raised_on"),
            Field.textarea("issue"),
            submit=submit,
            button_id=button_id,
        )

    def clean_raised_on(self) -> Any:
        raised_on = self.cleaned_data["raised_on"]
        if raised_on and raised_on > timezone.localdate():
            raise forms.ValidationError("The date it was raised cannot be in the future")
        return raised_on


class ActionForm(RevisionForm):
    what = forms.CharField(
        label="What needs to happen",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what needs to happen"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        error_messages={"required": "Select the agency"},
    )
    person = forms.CharField(
        label="Named person",
        max_length=column_length(Action, "person"),
        error_messages={"required": "Enter the named person"},
    )
    due_by = date_field("Due by")
    why = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the action is needed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active()  # type: ignore[attr-defined]
        self.helper = self.gds_helper(
            Field.textarea("what"),
            Field.select("agency"),
            Field.text("person"),
            Field("due_by"),
            Field.textarea("why"),
            submit="Add action",
        )

    def clean_due_by(self) -> Any:
        due_by = self.cleaned_data["due_by"]
        if due_by and due_by < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future")
        return due_by


class FollowUpForm(BoundedInput, forms.Form):
    scheduled_on = date_field("Date of the follow-up discussion")
    scheduled_time = time_field("Time")
    due_by = date_field("Must be held by")

    def __init__(self, *args: Any, agreed_by: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agreed_by is not None:
            # Agreed in the decision: never typed twice.
            self.fields["scheduled_on"].initial = agreed_by
            self.fields["due_by"].initial = agreed_by
            self.fields["due_by"].help_text = (
                f"The decision agreed a further discussion by {agreed_by.day} "
                f"{agreed_by:%B %Y}. For example, 27 3 2026"
            )
        self.helper = gds_helper(
            Field("scheduled_on"),
            Field.text("scheduled_time"),
            Field("due_by"),
            submit="Schedule follow-up",
        )


class ConferenceHeldForm(BoundedInput, forms.Form):
    held_on = date_field("Date the conference was held")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field("held_on"), submit="Record the conference")
