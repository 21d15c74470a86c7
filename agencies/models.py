from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from agencies.secure_email import is_secure_email
from audit.triggers import AuditTrigger
from config.field_encryption import EncryptedCharField


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    ACUTE_HOSPITAL_TRUST = "acute_hospital_trust", "Acute hospital trust"
    PUBLIC_HEALTH_NURSING = "public_health_nursing", "Public health nursing / health visiting"
    MIDWIFERY = "midwifery", "Midwifery"
    GP_PRACTICE = "gp_practice", "GP practice"
    MENTAL_HEALTH = "mental_health", "Mental health"
    AMBULANCE = "ambulance", "Ambulance"
    HOUSING = "housing", "Housing"
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    LOCAL_AUTHORITY_LEGAL = "local_authority_legal", "Local authority legal"
    OTHER = "other", "Other"


HEALTH_KINDS = frozenset(
    {
        AgencyKind.ACUTE_HOSPITAL_TRUST,
        AgencyKind.PUBLIC_HEALTH_NURSING,
        AgencyKind.MIDWIFERY,
        AgencyKind.GP_PRACTICE,
        AgencyKind.MENTAL_HEALTH,
        AgencyKind.AMBULANCE,
    }
)


class AgencyQuerySet(models.QuerySet["Agency"]):
    def active(self) -> "AgencyQuerySet":
        return self.filter(deactivated_at__isnull=True)

    def search(self, text: str) -> "AgencyQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(ods_code__iexact=text)
            | models.Q(secure_email__icontains=text)
        )


class Agency(models.Model):
    """An organisation that can be invited to a strategy discussion."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    secure_email = models.EmailField(
        "Secure email address for minutes",
        help_text="Minutes are sent here, so use the agency's secure address.",
    )
    insecure_email_reason = models.TextField(
        "Why minutes may go to an address outside the secure domains",
        blank=True,
    )
    # Read back to encrypt each send, so it cannot be hashed: kept encrypted at rest instead
    # (config.field_encryption), and never in the audit trail. Shown only in the Django admin.
    minutes_pdf_password = EncryptedCharField(
        "Password for encrypted minutes",
        max_length=128,
        blank=True,
        help_text="Minutes to this agency's addresses outside the secure domains go as a PDF "
        "encrypted with this password (AES-256). Give it to the agency another way, never "
        "by email, and record how below.",
    )
    pdf_password_shared_how = models.TextField(
        "How the password was given to the agency",
        blank=True,
        help_text="For example: read to the agency's safeguarding lead by phone on 3 March.",
    )
    pdf_password_set_at = models.DateTimeField(null=True, blank=True)
    # A GP practice may be added without one: the ODS extract often has none to give.
    phone = models.CharField(max_length=40, blank=True)
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    two_factor_exempted_at = models.DateTimeField(
        "Partner users exempted from a second factor at", null=True, blank=True
    )
    two_factor_exempt_reason = models.TextField(
        "Why this agency's users may sign in without a second factor", blank=True
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        triggers = [AuditTrigger(exclude=["minutes_pdf_password"])]
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="agency_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def is_health(self) -> bool:
        return self.kind in HEALTH_KINDS

    @property
    def has_secure_email(self) -> bool:
        return is_secure_email(self.secure_email)

    @property
    def has_minutes_pdf_password(self) -> bool:
        return bool(self.minutes_pdf_password)

    @property
    def is_two_factor_exempt(self) -> bool:
        return self.two_factor_exempted_at is not None

    def clean(self) -> None:
        super().clean()
        if self.is_two_factor_exempt and not self.two_factor_exempt_reason.strip():
            raise ValidationError(
                {
                    "two_factor_exempt_reason": "Enter why this agency's users may sign in "
                    "without a second factor"
                }
            )

    def safeguarding_leads(self) -> models.QuerySet["Contact"]:
        return self.contacts.active().filter(is_safeguarding_lead=True)


class ContactQuerySet(models.QuerySet["Contact"]):
    def active(self) -> "ContactQuerySet":
        return self.filter(deactivated_at__isnull=True)


class Contact(models.Model):
    """A named person at an agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField("Job title or role", max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    is_safeguarding_lead = models.BooleanField("Safeguarding lead for the agency", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        triggers = [AuditTrigger()]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}, {self.agency.name})"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class Team(models.Model):
    """A children's social care team that convenes strategy discussions."""

    name = models.CharField(max_length=200, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CHAIR = "chair", "Chair"
    MINUTE_TAKER = "minute_taker", "Minute-taker"
    MANAGER = "manager", "Manager"
    PARTNER = "partner", "Partner agency user"
    ADMINISTRATOR = "administrator", "Administrator"
    AUDITOR = "auditor", "Partnership auditor (read only)"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTNER)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="The agency a partner agency user belongs to.",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    class Meta:
        triggers = [AuditTrigger(exclude=["password"], ignore=["last_login"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="partner") | models.Q(agency__isnull=False),
                name="partner_user_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if not self.is_active:
            self.end_sessions()

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def can_manage_directory(self) -> bool:
        return self.has_role(Role.MANAGER, Role.ADMINISTRATOR)

    @property
    def requires_second_factor(self) -> bool:
        """Everyone but a partner agency user whose agency an administrator has exempted."""
        if self.role != Role.PARTNER:
            return True
        return not (self.agency is not None and self.agency.is_two_factor_exempt)

    def end_sessions(self) -> int:
        """Signs the user out everywhere: every session they signed in with is deleted."""
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        keys = list(self.sessions.values_list("session_key", flat=True))
        for key in keys:
            store.delete(key)
        self.sessions.all().delete()
        return len(keys)


class UserSession(models.Model):
    """A session someone signed in with, so that all of a person's sessions can be ended
    when their account is deactivated."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} signed in at {self.signed_in_at:%Y-%m-%d %H:%M}"
