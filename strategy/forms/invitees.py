from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset
from django import forms
from django.utils.html import escape

from agencies.models import Agency
from config.input_limits import column_length
from strategy.forms.base import RevisionForm
from strategy.models import Discussion, InvitationException
from strategy.services.invitees import Proposal, Requirement


class InviteesForm(RevisionForm):
    """Proposed agencies ticked by default, anyone already invited, and one more to add.

    Leaving out someone the record calls for needs a reason."""

    def __init__(
        self,
        *args: Any,
        discussion: Discussion,
        proposals: list[Proposal],
        requirements: list[Requirement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        invited = {i.agency_id: i for i in discussion.invitees.select_related("agency")}
        self.choices: dict[int, tuple[Agency, str]] = {}
        for proposal in proposals:
            self.choices[proposal.agency.pk] = (proposal.agency, proposal.why)
        for agency_id, invitee in invited.items():
            self.choices.setdefault(agency_id, (invitee.agency, invitee.why_invited))
        self.requirements = requirements
        self.fields["agencies"] = forms.MultipleChoiceField(
            label="Agencies to invite",
            choices=[
                Choice(str(pk), agency.name, hint=why or None)
                for pk, (agency, why) in self.choices.items()
            ],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Proposed from the record. Untick anyone you are not inviting.",
        )
        self.fields["agencies"].initial = [
            str(pk) for pk in self.choices if not discussion.invitees.exists() or pk in invited
        ]
        self.fields["add_agency"] = forms.ModelChoiceField(
            label="Add another agency (optional)",
            queryset=Agency.objects.active().exclude(pk__in=self.choices),
            required=False,
        )
        reason_fields = []
        for requirement in requirements:
            name = f"reason_{requirement.key}"
            self.fields[name] = forms.CharField(
                # crispy-forms-gds marks labels safe, and this one names a GP practice and
                # the person whose GP it is, as recorded: escaped here.
                label=f"Reason for not inviting: {escape(requirement.description)}",
                max_length=column_length(InvitationException, "description"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            reason_fields.append(Field.textarea(name))
        self.helper = self.gds_helper(
            Field.checkboxes("agencies"),
            Field.select("add_agency"),
            Fieldset(
                HTML(
                    '<p class="govuk-body">Only if you leave out someone the record calls '
                    "for. The reason is shown on the discussion and in the minutes.</p>"
                ),
                *reason_fields,
                legend="Reasons for leaving anyone out",
            ),
            submit="Save invite list and send invitations",
        )

    def selected_agencies(self) -> list[Agency]:
        agencies = [self.choices[int(pk)][0] for pk in self.cleaned_data["agencies"]]
        if self.cleaned_data.get("add_agency"):
            agencies.append(self.cleaned_data["add_agency"])
        return agencies

    def reasons(self) -> dict[str, str]:
        return {r.key: self.cleaned_data.get(f"reason_{r.key}", "") for r in self.requirements}

    def why(self) -> dict[int, str]:
        return {pk: why for pk, (_, why) in self.choices.items() if why}
