"""The forms of a difference's own page: each stage's agreement, and the resolution."""

from typing import Any

from crispy_forms_gds.layout import Field
from django import forms

from config.input_limits import BoundedInput
from strategy.forms.base import gds_helper


class DifferenceStageForm(BoundedInput, forms.Form):
    agreed = forms.TypedChoiceField(
        label="Was it agreed at this stage?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it was agreed at this stage"},
    )
    agreement = forms.CharField(
        label="What was agreed, or not",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was agreed, or not"},
    )

    def __init__(self, *args: Any, stage: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed"].label = f"Was it agreed at stage {stage}?"
        self.helper = gds_helper(
            Field.radios("agreed", inline=True),
            Field.textarea("agreement"),
            submit=f"Save stage {stage}",
        )


class DifferenceResolveForm(BoundedInput, forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        help_text="What was decided, by whom, and what happens now.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the outcome"},
    )
    minutes_must_change = forms.BooleanField(
        label="The minutes must be amended to show the outcome", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("outcome"),
            Field.checkbox("minutes_must_change"),
            submit="Record the resolution",
            button_id="id_resolve",
        )
