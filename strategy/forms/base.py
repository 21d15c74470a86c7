"""What every form on a discussion shares: GOV.UK layout and the revision it was opened at."""

from datetime import date, datetime, time
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.gds_forms import gds_helper
from config.input_limits import BoundedInput

__all__ = ["gds_helper"]  # strategy's forms take it from here

TIME_HINT = "Use the 24-hour clock, like 09:30 or 14:00"


class RevisionForm(BoundedInput, forms.Form):
    """Carries the discussion revision the person started from, so a later save by someone
    else is caught instead of silently overwritten."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, revision: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = revision

    def gds_helper(self, *fields: Any, submit: str = "Save and continue") -> FormHelper:
        name_empty_choices(self)
        return gds_helper(*fields, "revision", submit=submit)


def errors_onto(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown on the form it came from: each message at its field, or at
    the top when the field is not on this form or the refusal is about no field at all."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def name_empty_choices(form: forms.Form) -> None:
    """A select's empty choice says what it means ("Not known", "Select the agency"), never
    Django's "---------"."""
    for field in form.fields.values():
        if not isinstance(field, forms.ChoiceField):
            continue
        label = str(field.label or "an option")
        meaning = "Not known" if not field.required else f"Select {label[0].lower()}{label[1:]}"
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == "---------":
                field.empty_label = meaning
        else:
            choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
            if any(str(text) == "---------" for _, text in choices):
                field.choices = [
                    (value, meaning if str(text) == "---------" else text)
                    for value, text in choices
                ]


class GovDateField(DateInputField):
    def compress(self, data_list: Any) -> date | None:
        try:
            return super().compress(data_list)
        except (forms.ValidationError, ValueError, TypeError, OverflowError) as exc:
            raise forms.ValidationError(f"{self.label} must be a real date") from exc


def date_field(label: str, *, required: bool = True, help_text: str = "") -> GovDateField:
    field = GovDateField(
        label=label, required=required, help_text=help_text or "For example, 27 3 2026"
    )
    field.error_messages["required"] = f"Enter the {label[0].lower()}{label[1:]}"
    field.error_messages["incomplete"] = f"Enter the {label[0].lower()}{label[1:]} in full"
    return field


def time_field(label: str, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        help_text=TIME_HINT,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as hours and minutes, like 14:30",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )


def combine_local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))
