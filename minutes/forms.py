from typing import Any

from crispy_forms_gds.layout import Field
from django import forms

from config.input_limits import BoundedInput, column_length
from minutes.models import Delivery, Dispute
from strategy.forms.base import gds_helper


class NotesForm(BoundedInput, forms.Form):
    additional_notes = forms.CharField(
        label="Minute-taker's notes",
        help_text="Anything said that the structured record does not capture. "
        "Everything else in the minutes comes from the record.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Approving is the page's main action; saving the notes is secondary.
        self.helper = gds_helper(
            Field.textarea("additional_notes"), submit="Save draft", secondary=True
        )


class AmendmentForm(BoundedInput, forms.Form):
    reason = forms.CharField(
        label="Reason for the amendment",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the amendment"},
    )
    change_summary = forms.CharField(
        label="Summary of what will change",
        help_text="Sent to every agency with the new version.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Summarise what will change"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason"),
            Field.textarea("change_summary"),
            submit="Start amendment",
        )


class RevokeForm(BoundedInput, forms.Form):
    reason = forms.CharField(
        label="Why were the minutes sent in error?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason the minutes were sent in error"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("reason"), submit="Withdraw the link")


class ReceiptForm(BoundedInput, forms.Form):
    name = forms.CharField(
        label="Your full name",
        max_length=column_length(Delivery, "confirmed_by_name"),
        error_messages={"required": "Enter your full name"},
    )
    role = forms.CharField(
        label="Your role",
        max_length=column_length(Delivery, "confirmed_by_role"),
        error_messages={"required": "Enter your role"},
    )
    confirm = forms.BooleanField(
        label="I confirm my agency has received these minutes.",
        error_messages={"required": "Tick the box to confirm your agency has received the minutes"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("name", field_width=20),
            Field.text("role", field_width=20),
            Field.checkbox("confirm"),
            submit="Confirm receipt",
        )


class DisputeForm(BoundedInput, forms.Form):
    dispute_name = forms.CharField(
        label="Your full name",
        max_length=column_length(Dispute, "raised_by_name"),
        error_messages={"required": "Enter your full name"},
    )
    dispute_role = forms.CharField(
        label="Your role",
        max_length=column_length(Dispute, "raised_by_role"),
        error_messages={"required": "Enter your role"},
    )
    statement = forms.CharField(
        label="The minutes do not reflect the discussion because",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say why the minutes do not reflect the discussion"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("dispute_name", field_width=20),
            Field.text("dispute_role", field_width=20),
            Field.textarea("statement", rows=5),
            submit="Tell the chair",
            button_id="id_dispute_submit",
        )
