from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.db.models import QuerySet

from agencies.models import Agency
from config.input_limits import BoundedInput, column_length
from strategy.forms.base import date_field, gds_helper, name_empty_choices
from strategy.models import CaseTransfer


class TransferProposeForm(BoundedInput, forms.Form):
    receiving_authority = forms.ModelChoiceField(
        label="Receiving local authority",
        queryset=Agency.objects.none(),
        error_messages={"required": "Select the local authority the case is transferring to"},
    )
    proposed_on = date_field("Date proposed for the transfer")
    reason = forms.CharField(
        label="Why the case is transferring (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the family moved to the receiving authority's area.",
    )

    def __init__(self, *args: Any, authorities: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["receiving_authority"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = authorities
        name_empty_choices(self)
        self.helper = gds_helper(
            Field.select("receiving_authority"),
            Field("proposed_on"),
            Field.textarea("reason"),
            submit="Record the proposed transfer",
        )


class TransferAcceptForm(BoundedInput, forms.Form):
    accepted_by = forms.CharField(
        label="Accepted by",
        max_length=column_length(CaseTransfer, "accepted_by"),
        help_text="The name and role of the person at the receiving authority who accepted it.",
        error_messages={"required": "Enter who accepted the transfer, with their role"},
    )
    accepted_on = date_field("Date accepted")
    acceptance = forms.CharField(
        label="What the written acceptance says",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Copy the acceptance from the email or letter.",
        error_messages={"required": "Enter what the written acceptance says"},
    )
    transfer_on = date_field("Agreed date of transfer")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("accepted_by"),
            Field("accepted_on"),
            Field.textarea("acceptance"),
            Field("transfer_on"),
            submit="Record the acceptance",
        )
