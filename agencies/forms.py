import re
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms
from django.conf import settings

from agencies.models import Agency, AgencyKind, Contact
from agencies.secure_email import is_secure_email
from config.input_limits import BoundedInput

ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
PHONE_REQUIRED_MESSAGE = "Enter a phone number"
EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.nhs.net"


class AgencyForm(BoundedInput, forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "kind",
            "secure_email",
            "insecure_email_reason",
            "phone",
            "ods_code",
            "address",
            "postcode",
        ]
        labels = {
            "name": "Name",
            "kind": "Kind of agency",
            "phone": "Phone number",
            "address": "Address (optional)",
            "postcode": "Postcode (optional)",
        }
        help_texts = {
            "name": "For a GP practice, the practice's name, like Riverside Medical Centre.",
            "ods_code": "NHS bodies only, where known, like A81001.",
            "phone": "Optional for a GP practice.",
            "insecure_email_reason": "Only needed when the address is not on a secure domain.",
        }
        error_messages = {
            "kind": {"required": "Select the kind of agency"},
            "secure_email": {
                "required": "Enter the secure email address for minutes",
                "invalid": EMAIL_FORMAT_MESSAGE,
            },
        }
        widgets = {
            "insecure_email_reason": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # checked in clean() with a message per kind
        self.fields["phone"].required = False  # required in clean() for all but GP practices
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Select a kind"), *AgencyKind.choices]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name"),
            Field.select("kind"),
            Field.text("secure_email", field_width=Fluid.TWO_THIRDS),
            Field.textarea("insecure_email_reason"),
            Field.text("phone", field_width=20),
            Field.text("ods_code", field_width=10),
            Field.textarea("address"),
            Field.text("postcode", field_width=10),
            Button("submit", "Save agency"),
        )

    def clean_ods_code(self) -> str:
        code = self.cleaned_data["ods_code"].strip().upper()
        if code and not ODS_CODE.match(code):
            raise forms.ValidationError("ODS code must be 3 to 6 letters and numbers, like A81001")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        name = (data.get("name") or "").strip()
        data["name"] = name
        if not name:
            message = (
                "Enter the GP practice's name"
                if data.get("kind") == AgencyKind.GP_PRACTICE
                else "Enter the agency's name"
            )
            self.add_error("name", message)
        else:
            duplicates = Agency.objects.filter(name__iexact=name)
            if self.instance.pk:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error("name", f"An agency called {name} is already in the directory")
        data["phone"] = (data.get("phone") or "").strip()
        if not data["phone"] and data.get("kind") != AgencyKind.GP_PRACTICE:
            self.add_error("phone", PHONE_REQUIRED_MESSAGE)
        email = data.get("secure_email")
        reason = (data.get("insecure_email_reason") or "").strip()
        if email and is_secure_email(email):
            data["insecure_email_reason"] = ""
        elif email and not reason:
            domains = ", ".join(settings.SECURE_EMAIL_DOMAINS)
            self.add_error(
                "insecure_email_reason",
                f"Give a reason for sending minutes to {email}: it is not on a secure "
                f"domain ({domains})",
            )
        return data

    def validate_unique(self) -> None:
        # Name clashes are reported in clean() with a friendlier message.
        pass


class AgencySearchForm(BoundedInput, forms.Form):
    q = forms.CharField(label="Search by name, email or ODS code", required=False)
    kind = forms.ChoiceField(
        label="Kind of agency", required=False, choices=[("", "All kinds"), *AgencyKind.choices]
    )
    include_inactive = forms.BooleanField(label="Include deactivated agencies", required=False)


class ContactForm(BoundedInput, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "is_safeguarding_lead"]
        labels = {"name": "Full name", "phone": "Phone number (optional)"}
        error_messages = {
            "name": {"required": "Enter the person's full name"},
            "role": {"required": "Enter the person's job title or role"},
            "email": {"required": "Enter an email address", "invalid": EMAIL_FORMAT_MESSAGE},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name"),
            Field.text("role"),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("phone", field_width=20),
            Field.checkbox("is_safeguarding_lead"),
            Button("submit", "Save person"),
        )
