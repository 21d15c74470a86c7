from typing import Any

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, Contact, Team, User
from agencies.secure_email import NO_PDF_PASSWORD
from agencies.signin.second_factor import second_factor_remove
from outbox.models import Message, MessageKind, MessageState
from outbox.services import messages_retry

MINUTES_PDF_PASSWORD_MIN_LENGTH = 12


@admin.register(User)
class StrategyUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "agency", "team", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Role in the service", {"fields": ("role", "agency", "team", "manager")}),
    )
    actions = ["unlock_sign_in", "reset_second_factor"]

    @admin.action(description="Unlock sign-in after too many failed attempts")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            axes_reset(username=user.get_username())
        self.message_user(request, f"Unlocked sign-in for {_people(queryset.count())}.")

    @admin.action(description="Reset second factor (they set up a new one at next sign-in)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            second_factor_remove(user=user)
            user.end_sessions()
        self.message_user(
            request,
            f"Second factor reset and signed out everywhere for {_people(queryset.count())}.",
        )


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AgencyAdminForm(forms.ModelForm):
    two_factor_exempt = forms.BooleanField(
        label="Partner users at this agency may sign in without a second factor",
        required=False,
        help_text="Only when the agency's staff cannot use an authenticator app. Everyone in "
        "other roles needs one whatever is set here.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["two_factor_exempt"].initial = self.instance.is_two_factor_exempt
        if "minutes_pdf_password" in self.fields:
            self.fields["minutes_pdf_password"].widget.attrs.update(
                autocomplete="off", spellcheck="false"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        password = data.get("minutes_pdf_password") or ""
        if password and len(password) < MINUTES_PDF_PASSWORD_MIN_LENGTH:
            self.add_error(
                "minutes_pdf_password",
                f"Use at least {MINUTES_PDF_PASSWORD_MIN_LENGTH} characters: anyone who has "
                "the email can try passwords against the PDF",
            )
        if password and not (data.get("pdf_password_shared_how") or "").strip():
            self.add_error(
                "pdf_password_shared_how", "Record how the password was given to the agency"
            )
        # The model checks the reason is there; the date records when the exemption began.
        if not data.get("two_factor_exempt"):
            self.instance.two_factor_exempted_at = None
            data["two_factor_exempt_reason"] = ""
        elif self.instance.two_factor_exempted_at is None:
            self.instance.two_factor_exempted_at = timezone.now()
        return data


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ("name", "kind", "secure_email", "has_pdf_password", "deactivated_at")
    list_filter = ("kind",)
    search_fields = ("name", "secure_email", "ods_code")
    readonly_fields = ("pdf_password_set_at", "two_factor_exempted_at")
    inlines = [ContactInline]
    signing_in_fields = ("two_factor_exempt", "two_factor_exempt_reason", "two_factor_exempted_at")

    def get_fieldsets(self, request: HttpRequest, obj: Agency | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if len(fieldsets) != 1:
            return fieldsets
        name, options = fieldsets[0]
        rest = [f for f in options["fields"] if f not in self.signing_in_fields]
        return [
            (name, {**options, "fields": rest}),
            ("Signing in", {"fields": self.signing_in_fields}),
        ]

    @admin.display(boolean=True, description="PDF password set up")
    def has_pdf_password(self, agency: Agency) -> bool:
        return agency.has_minutes_pdf_password

    def save_model(
        self, request: HttpRequest, obj: Agency, form: forms.ModelForm, change: bool
    ) -> None:
        password_changed = "minutes_pdf_password" in form.changed_data
        if password_changed:
            obj.pdf_password_set_at = timezone.now() if obj.minutes_pdf_password else None
        super().save_model(request, obj, form, change)
        if password_changed and obj.minutes_pdf_password:
            waiting = Message.objects.filter(
                agency_id=obj.pk,
                kind=MessageKind.MINUTES,
                state=MessageState.FAILED,
                last_reply__startswith=NO_PDF_PASSWORD,
            ).values_list("pk", flat=True)
            requeued = len(messages_retry(waiting))
            if requeued:
                self.message_user(
                    request,
                    f"Minutes waiting for this password will now be sent to {obj.name} "
                    f"({requeued} {'copy' if requeued == 1 else 'copies'}).",
                )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")
