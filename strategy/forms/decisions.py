import copy
from datetime import date
from typing import Any

from crispy_forms_gds.layout import HTML, ConditionalQuestion, ConditionalRadios, Field, Fieldset
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
from strategy.services.decisions import decision_basis

YES_NO = [("yes", "Yes"), ("no", "No")]


REASONED = (Position.DISAGREES.value, Position.ABSTAINS.value)


class DecisionForm(RevisionForm):
    """A child's decision and, below it, each attending agency's position on it, saved in one
    submission. The reason is asked for under "Disagrees" and "Abstains" only (a GOV.UK
    conditional reveal, so without JavaScript both boxes show and the reason is still checked
    here, not in the browser). Positions may be left for later, all of them: the decision is
    then saved alone."""

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
    # The decision (threshold answer and outcomes) the positions on the page were given on,
    # when they were: a position shown from an earlier decision is never saved as one given
    # on a changed decision.
    positions_given_on = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        decision: ChildDecision | None,
        attending: list[Invitee] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attending = attending or []
        self._positions: dict[int, tuple[str, str]] | None = None
        existing: dict[int, AgencyPosition] = {}
        if decision:
            self.fields["threshold_met"].initial = "yes" if decision.threshold_met else "no"
            self.fields["rationale"].initial = decision.rationale
            self.fields["outcomes"].initial = decision.outcomes
            self.fields["further_discussion_on"].initial = decision.further_discussion_on
            self.fields["no_s47_rationale"].initial = decision.no_s47_rationale
            existing = {p.invitee_id: p for p in decision.positions.all()}
            if any(invitee.pk in existing for invitee in self.attending):
                self.fields["positions_given_on"].initial = decision_basis(
                    decision.threshold_met, decision.outcomes
                )
        layout: list[Any] = [
            Field.radios("threshold_met", inline=True),
            Field.textarea("rationale"),
            Field.checkboxes("outcomes"),
            Field("further_discussion_on"),
            Field.textarea("no_s47_rationale"),
            "positions_given_on",
        ]
        if self.attending:
            layout += self._position_fields(existing)
        else:
            layout.append(
                HTML(
                    '<h2 class="govuk-heading-m" id="positions">Each agency\'s position</h2>'
                    '<p class="govuk-body">Each attending agency\'s position on the decision '
                    "is given here once attendance is recorded.</p>"
                )
            )
        submit = "Save decision and positions" if self.attending else "Save decision"
        self.helper = self.gds_helper(*layout, submit=submit)

    def _position_fields(self, existing: dict[int, AgencyPosition]) -> list[Any]:
        self.fields["all_agree"] = forms.BooleanField(
            label="Every attending agency agrees, apart from those marked otherwise below",
            help_text="Then mark only the agencies that disagree or abstain, with their reason.",
            required=False,
        )
        sections: list[Any] = [
            HTML(
                '<h2 class="govuk-heading-m" id="positions">'
                "Each attending agency's position on this decision</h2>"
            ),
            Field.checkbox("all_agree"),
        ]
        for invitee in self.attending:
            current = existing.get(invitee.pk)
            # crispy-forms-gds marks legends and labels safe: the agency's name is escaped here.
            name = escape(invitee.agency.name)
            self.fields[f"position_{invitee.pk}"] = forms.ChoiceField(
                label=f"Position of {name}",
                choices=Position.choices,
                widget=forms.RadioSelect,
                initial=current.position if current else None,
                required=False,  # unless another position is given: see clean
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
        return sections

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.attending:
            return data
        names = [f"position_{i.pk}" for i in self.attending]
        if not data.get("all_agree") and not any(data.get(name) for name in names):
            return data  # no positions yet: the decision is saved alone
        given_on = data.get("positions_given_on") or ""
        deciding = (
            decision_basis(data["threshold_met"], data["outcomes"])
            if data.get("threshold_met") is not None and data.get("outcomes")
            else ""  # the decision itself has an error to put right first
        )
        if given_on and deciding and given_on != deciding:
            self._positions_given_on_earlier_decision(deciding)
            return data
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
        if not self.errors:
            self._positions = {
                invitee.pk: (
                    data[f"position_{invitee.pk}"],
                    self.reason(invitee, data[f"position_{invitee.pk}"]),
                )
                for invitee in self.attending
            }
        return data

    def _positions_given_on_earlier_decision(self, deciding: str) -> None:
        """The decision was changed on this page while it showed positions given on the
        earlier one. Nothing is saved; the page comes back with the positions cleared, each
        showing what was given before, to be given again on the decision as it now stands."""
        data: Any = copy.copy(self.data)  # a QueryDict's copy is mutable
        for invitee in self.attending:
            name = f"position_{invitee.pk}"
            earlier = data.get(name)
            if earlier in Position.values:
                reason = data.get(f"reason_{invitee.pk}_{earlier}", "")
                said = Position(earlier).label + (f": {reason}" if reason else "")
                # The bound field has copied its hint already: it is the one shown.
                self[name].help_text = f"On the earlier decision: {escape(said)}"
            for key in (name, *(f"reason_{invitee.pk}_{p}" for p in REASONED)):
                data.pop(key, None)
        data.pop("all_agree", None)
        data["positions_given_on"] = deciding
        self.data = data
        self.add_error(
            "all_agree",
            "You changed the decision, so the positions shown were given on the earlier "
            "decision: give each attending agency's position on this decision again, or save "
            "the decision alone and give them later",
        )

    def reason(self, invitee: Invitee, position: str) -> str:
        """The reason typed under the position chosen; one typed under another is dropped."""
        if position not in REASONED:
            return ""
        return str(self.cleaned_data.get(f"reason_{invitee.pk}_{position}") or "")

    def positions(self) -> dict[int, tuple[str, str]] | None:
        """{invitee pk: (position, reason)} given on this decision, or None when the chair
        gave none this time."""
        return self._positions

    def decision_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "threshold_met": data.get("threshold_met"),
            "rationale": data.get("rationale", ""),
            "outcomes": data.get("outcomes", []),
            "no_s47_rationale": data.get("no_s47_rationale", ""),
            "further_discussion_on": data.get("further_discussion_on"),
        }


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
