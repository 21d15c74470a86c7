from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from strategy.forms.base import RevisionForm, date_field
from strategy.models import Adult, Child, Relationship
from strategy.nhs_number import nhs_number_clean, nhs_number_text

NHS_NUMBER_HINT = "10 digits, like 943 476 5919. Leave blank if not known."


class NHSNumberField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(label="NHS number (optional)", required=False, max_length=13)
        self.help_text = NHS_NUMBER_HINT
        self.error_messages["max_length"] = (
            "NHS number must be 13 characters or fewer: enter it as 10 digits, like 943 476 5919"
        )

    def prepare_value(self, value: Any) -> Any:
        return nhs_number_text(value) if isinstance(value, str) else value

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return nhs_number_clean(value) if value else ""


def agencies_of(*kinds: str) -> Any:
    return Agency.objects.active().filter(kind__in=kinds)


class ChildForm(RevisionForm, forms.ModelForm):
    date_of_birth = date_field("Date of birth", required=False)
    expected_delivery_date = date_field("Expected date of delivery", required=False)
    nhs_number = NHSNumberField()

    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "is_unborn",
            "nhs_number",
            "needs",
            "communication_needs",
            "school",
            "gp_practice",
        ]
        labels = {"is_unborn": "This is an unborn child"}
        error_messages = {
            "first_name": {"required": "Enter the child's first name"},
            "last_name": {"required": "Enter the child's last name"},
            "needs": {"required": "Describe the child's needs and the impact on them in words"},
        }
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 4}),
            "communication_needs": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["date_of_birth"].initial = self.instance.date_of_birth
            self.fields["expected_delivery_date"].initial = self.instance.expected_delivery_date
        self.fields["first_name"].help_text = "Use 'Baby' for an unborn child not yet named."
        self.fields["school"].queryset = agencies_of(  # type: ignore[attr-defined]
            AgencyKind.EDUCATION, AgencyKind.EARLY_YEARS
        )
        self.fields["gp_practice"].queryset = agencies_of(AgencyKind.GP_PRACTICE)  # type: ignore[attr-defined]
        self.fields["gp_practice"].help_text = "Leave blank only if the child has no GP."
        self.helper = self.gds_helper(
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.checkbox("is_unborn"),
            Field("date_of_birth"),
            Field("expected_delivery_date"),
            Field.text("nhs_number", field_width=10),
            Field.textarea("needs"),
            Field.textarea("communication_needs"),
            Field.select("school"),
            Field.select("gp_practice"),
            submit="Save child",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        born, due = data.get("date_of_birth"), data.get("expected_delivery_date")
        if data.get("is_unborn"):
            data["date_of_birth"] = None
            if not due and "expected_delivery_date" not in self.errors:
                self.add_error("expected_delivery_date", "Enter the expected date of delivery")
            elif due and due < today and not self.instance.pk:
                self.add_error(
                    "expected_delivery_date",
                    "The expected date of delivery must be today or in the future",
                )
        else:
            data["expected_delivery_date"] = None
            if not born and "date_of_birth" not in self.errors:
                self.add_error(
                    "date_of_birth",
                    "Enter the date of birth, or tick 'This is an unborn child'",
                )
            elif born and born > today:
                self.add_error("date_of_birth", "The date of birth must be in the past")
        return data

    def save(self, commit: bool = True) -> Child:
        child = super().save(commit=False)
        child.date_of_birth = self.cleaned_data.get("date_of_birth")
        child.expected_delivery_date = self.cleaned_data.get("expected_delivery_date")
        return child


class AdultForm(RevisionForm, forms.ModelForm):
    date_of_birth = date_field("Date of birth (optional)", required=False)
    nhs_number = NHSNumberField()

    class Meta:
        model = Adult
        fields = [
            "name",
            "relationship",
            "lives_with_children",
            "nhs_number",
            "address",
            "gp_practice",
            "known_information",
        ]
        error_messages = {
            "name": {"required": "Enter the person's full name"},
            "relationship": {"required": "Select their relationship to the children"},
        }
        widgets = {
            "relationship": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3}),
            "known_information": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relationship = self.fields["relationship"]
        assert isinstance(relationship, forms.ChoiceField)
        relationship.choices = Relationship.choices
        self.fields["gp_practice"].queryset = agencies_of(AgencyKind.GP_PRACTICE)  # type: ignore[attr-defined]
        self.fields[
            "gp_practice"
        ].help_text = "Every parent's and carer's GP practice is invited to the discussion."
        if self.instance.pk:
            self.fields["date_of_birth"].initial = self.instance.date_of_birth
        else:
            # Asked, never assumed: a parent living elsewhere must not start as household.
            self.fields["lives_with_children"].initial = False
        self.helper = self.gds_helper(
            Field.text("name", field_width=20),
            Field.radios("relationship"),
            Field.checkbox("lives_with_children"),
            Field("date_of_birth"),
            Field.text("nhs_number", field_width=10),
            Field.textarea("address"),
            Field.select("gp_practice"),
            Field.textarea("known_information"),
            submit="Save person",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = data.get("date_of_birth")
        if born and born > timezone.localdate():
            self.add_error("date_of_birth", "The date of birth must be in the past")
        if data.get("relationship") == Relationship.BIRTH_PARENT_ELSEWHERE and data.get(
            "lives_with_children"
        ):
            self.add_error(
                "lives_with_children",
                "A birth parent living elsewhere does not live in the children's household: "
                "untick it, or choose another relationship",
            )
        return data

    def save(self, commit: bool = True) -> Adult:
        adult = super().save(commit=False)
        adult.date_of_birth = self.cleaned_data.get("date_of_birth")
        return adult
