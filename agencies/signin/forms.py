from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import User
from agencies.signin import second_factor, throttling
from config.gds_forms import gds_helper
from config.input_limits import BoundedInput

CODE_HINT = "The 6-digit code from your authenticator app, or one of your backup codes."


def code_field(*, help_text: str = CODE_HINT) -> forms.CharField:
    return forms.CharField(
        label="Security code",
        help_text=help_text,
        max_length=32,
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class SignInForm(BoundedInput, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = gds_helper(
            Field.text("username", field_width=20, autocomplete="username"),
            Field.text("password", field_width=20, autocomplete="current-password"),
            submit="Sign in",
        )


class CodeForm(BoundedInput, forms.Form):
    """The second step of signing in: a code from the app, or a backup code."""

    code = code_field()

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.device: Device | None = None
        self.helper = gds_helper(Field.text("code", field_width=10), submit="Continue")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.device = second_factor.code_check(user=self.user, code=code)
        if self.device is None:
            throttling.failure_record(self.request, self.user.get_username())
            raise forms.ValidationError("Enter a correct security code")
        return code


class SetUpForm(BoundedInput, forms.Form):
    code = code_field(help_text="The 6-digit code your authenticator app shows now.")

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = gds_helper(Field.text("code", field_width=10), submit="Continue")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not second_factor.authenticator_confirm(device=self.device, code=code):
            raise forms.ValidationError(
                "Enter the code your app shows now. If it keeps failing, check the time on "
                "your phone is set automatically"
            )
        return code


class ReauthenticateForm(BoundedInput, forms.Form):
    """Before changing how someone signs in: their password again, and a current code."""

    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = code_field()

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.needs_code = second_factor.has_second_factor(user)
        fields: list[Any] = [Field.text("password", field_width=20)]
        if self.needs_code:
            fields.append(Field.text("code", field_width=10))
        else:
            del self.fields["code"]
        self.helper = gds_helper(*fields, submit="Continue")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        password = cleaned.get("password")
        if password is None:
            return cleaned
        # Through axes, so a wrong password counts towards the lockout like any other.
        checked = authenticate(self.request, username=self.user.get_username(), password=password)
        if checked is None or checked.pk != self.user.pk:
            self.add_error("password", "Enter your correct password")
            return cleaned
        code = cleaned.get("code")
        if self.needs_code and code and second_factor.code_check(user=self.user, code=code) is None:
            throttling.failure_record(self.request, self.user.get_username())
            self.add_error("code", "Enter a correct security code")
        return cleaned


class EmailForm(BoundedInput, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email"]
        labels = {"email": "Email address"}
        error_messages = {
            "email": {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.helper: FormHelper = gds_helper(
            Field.text("email", autocomplete="email", spellcheck="false"),
            submit="Save email address",
        )
