from datetime import datetime, time
from typing import Any

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Fieldset
from django import forms
from django.utils import timezone

from agencies.models import Agency, Role, Team, User
from config.input_limits import column_length
from strategy.forms.base import RevisionForm, combine_local, date_field, time_field
from strategy.models import ConcernCategory, Discussion, DiscussionFormat, Urgency
from strategy.services.scheduling import DISCUSSION_FIELDS


class DiscussionForm(RevisionForm):
    format = forms.ChoiceField(
        label="Format",
        choices=DiscussionFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the format of the discussion"},
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent the discussion is"},
    )
    concern_raised_on = date_field(
        "Date the concern was raised",
        required=False,
        help_text="The referral or the new information. For example, 27 3 2026",
    )
    concern_raised_time = time_field("Time the concern was raised", required=False)
    emergency_action_on = date_field("Date of the emergency action", required=False)
    emergency_action_time = time_field("Time of the emergency action", required=False)
    scheduled_on = date_field("Date of the discussion")
    scheduled_at = time_field("Time")
    joining_details = forms.CharField(
        label="Joining details",
        help_text="Room, video link or dial-in number and access code.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="Why the discussion is needed",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why the discussion is needed"},
    )
    concern_categories = forms.MultipleChoiceField(
        label="Categories of concern",
        choices=ConcernCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one category of concern"},
    )
    referrer_agency = forms.ModelChoiceField(
        label="Referring agency", queryset=Agency.objects.none(), required=False
    )
    referrer_name = forms.CharField(
        label="Referrer's name and role",
        max_length=column_length(Discussion, "referrer_name"),
        required=False,
    )
    immediate_action_taken = forms.CharField(
        label="Immediate action already taken",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    housing_is_factor = forms.BooleanField(
        label="Housing is a factor (for example homelessness or unsuitable housing)",
        required=False,
    )
    team = forms.ModelChoiceField(
        label="Convening team",
        queryset=Team.objects.all(),
        error_messages={"required": "Select the convening team"},
    )
    chair = forms.ModelChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        error_messages={"required": "Select the chair"},
    )
    minute_taker = forms.ModelChoiceField(
        label="Minute-taker",
        queryset=User.objects.none(),
        help_text="Someone other than the chair.",
        error_messages={"required": "Select the minute-taker"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referrer_agency"].queryset = Agency.objects.active()  # type: ignore[attr-defined]
        staff = User.objects.filter(is_active=True).order_by("first_name", "last_name")
        self.fields["chair"].queryset = staff.filter(role=Role.CHAIR)  # type: ignore[attr-defined]
        self.fields["minute_taker"].queryset = staff.filter(  # type: ignore[attr-defined]
            role__in=[Role.MINUTE_TAKER, Role.CHAIR]
        )
        self.helper = self.gds_helper(
            Field.radios("format", inline=True),
            ConditionalRadios(
                "urgency",
                Urgency.IMMEDIATE.label,
                Urgency.PLANNED.label,
                ConditionalQuestion(
                    Urgency.RETROSPECTIVE.label,
                    Field("emergency_action_on"),
                    Field.text("emergency_action_time"),
                ),
            ),
            Fieldset(
                Field("concern_raised_on"),
                Field.text("concern_raised_time"),
                legend="When the concern was raised",
            ),
            Fieldset(Field("scheduled_on"), Field.text("scheduled_at"), legend="When"),
            Field.textarea("joining_details"),
            Field.textarea("reason"),
            Field.checkboxes("concern_categories", small=True),
            Field.select("referrer_agency"),
            Field.text("referrer_name"),
            Field.textarea("immediate_action_taken"),
            Field.checkbox("housing_is_factor"),
            Field.select("team"),
            Field.select("chair"),
            Field.select("minute_taker"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chair, minute_taker = data.get("chair"), data.get("minute_taker")
        if chair and minute_taker and chair == minute_taker:
            self.add_error("minute_taker", "The minute-taker must be someone other than the chair")
        if data.get("scheduled_on") and data.get("scheduled_at"):
            data["scheduled_for"] = combine_local(data["scheduled_on"], data["scheduled_at"])
        data["concern_raised_at"] = self._moment("concern_raised", "concern was raised")
        data["emergency_action_at"] = None
        if data.get("urgency") == Urgency.RETROSPECTIVE:
            data["emergency_action_at"] = self._moment("emergency_action", "emergency action")
        return data

    def _moment(self, prefix: str, what: str) -> datetime | None:
        """A date with an optional time (midday if none), or None when neither is given."""
        day, at = self.cleaned_data.get(f"{prefix}_on"), self.cleaned_data.get(f"{prefix}_time")
        if day is None:
            if at is not None:
                self.add_error(f"{prefix}_on", f"Enter the date the {what}")
            return None
        moment = combine_local(day, at or time(12))
        if moment > timezone.now():
            self.add_error(f"{prefix}_on", f"The date the {what} must be today or in the past")
        return moment

    def discussion_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in DISCUSSION_FIELDS}
