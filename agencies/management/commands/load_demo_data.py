"""Fictional demonstration data: the agencies, teams and people of Eastmere, an imaginary county.

Safe to run again: it updates what is there rather than adding twice.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency, AgencyKind, Contact, Role, Team, User
from agencies.signin.second_factor import backup_codes_issue

DEMO_PASSWORD = "eastmere-demo-2026"  # noqa: S105 - printed for the demo, fictional users only

K = AgencyKind
AGENCIES: list[dict[str, Any]] = [
    {
        "name": "Eastmere Children's Social Care",
        "kind": K.CHILDRENS_SOCIAL_CARE,
        "secure_email": "mash@eastmere.gov.uk",
        "phone": "01632 960001",
    },
    {
        "name": "Eastmere Constabulary Public Protection Unit",
        "kind": K.POLICE,
        "secure_email": "ppu.referrals@eastmere.police.uk",
        "phone": "01632 960002",
    },
    {
        "name": "Eastmere General Hospital NHS Trust",
        "kind": K.ACUTE_HOSPITAL_TRUST,
        "secure_email": "safeguarding.egh@nhs.net",
        "phone": "01632 960003",
        "ods_code": "RZX",
    },
    {
        "name": "Eastmere Health Visiting Service",
        "kind": K.PUBLIC_HEALTH_NURSING,
        "secure_email": "eastmere.healthvisiting@nhs.net",
        "phone": "01632 960004",
    },
    {
        "name": "Eastmere Maternity and Midwifery",
        "kind": K.MIDWIFERY,
        "secure_email": "eastmere.midwifery@nhs.net",
        "phone": "01632 960005",
    },
    {
        "name": "Riverside Medical Centre",
        "kind": K.GP_PRACTICE,
        "secure_email": "riverside.mc@nhs.net",
        "phone": "01632 960010",
        "ods_code": "Z90001",
    },
    {
        "name": "Harbour Lane Surgery",
        "kind": K.GP_PRACTICE,
        "secure_email": "harbourlane.surgery@nhs.net",
        "phone": "01632 960011",
        "ods_code": "Z90002",
    },
    {
        "name": "Millbrook Family Practice",
        "kind": K.GP_PRACTICE,
        "secure_email": "millbrook.fp@nhs.net",
        "phone": "01632 960012",
        "ods_code": "Z90003",
    },
    {
        "name": "Castle Street Health Centre",
        "kind": K.GP_PRACTICE,
        "secure_email": "castlestreet.hc@nhs.net",
        "phone": "01632 960013",
        "ods_code": "Z90004",
    },
    {
        "name": "Eastmere Homes",
        "kind": K.HOUSING,
        "secure_email": "safeguarding@eastmerehomes.example",
        "insecure_email_reason": "Housing association without a secure domain; agreed with "
        "the partnership to receive minutes as encrypted attachments.",
        "minutes_pdf_password": "eastmere-homes-demo-pdf",
        "pdf_password_shared_how": "Fictional, for the demonstration: printed by "
        "load_demo_data, never sent by email.",
        "phone": "01632 960020",
    },
    {
        "name": "Eastmere Council Housing Options",
        "kind": K.HOUSING,
        "secure_email": "housing.options@eastmere.gov.uk",
        "phone": "01632 960021",
    },
    {
        "name": "Saltmarsh Primary School",
        "kind": K.EDUCATION,
        "secure_email": "dsl@saltmarsh-primary.eastmere.sch.gov.uk",
        "phone": "01632 960030",
    },
    {
        "name": "Little Herons Nursery",
        "kind": K.EARLY_YEARS,
        "secure_email": "office@littleherons.eastmere.sch.gov.uk",
        "phone": "01632 960031",
    },
    {
        "name": "Eastmere Probation Delivery Unit",
        "kind": K.PROBATION,
        "secure_email": "eastmere.pdu@justice.gov.uk",
        "phone": "01632 960040",
    },
    {
        "name": "Eastmere Mental Health Partnership",
        "kind": K.MENTAL_HEALTH,
        "secure_email": "eastmere.mhp.safeguarding@nhs.net",
        "phone": "01632 960050",
    },
]

CONTACTS = {
    "Eastmere Constabulary Public Protection Unit": [
        ("DS Priya Wrenfield", "Detective Sergeant", "priya.wrenfield@eastmere.police.uk", True),
    ],
    "Eastmere General Hospital NHS Trust": [
        ("Moira Tallant", "Named Nurse for Safeguarding", "moira.tallant@nhs.net", True),
    ],
    "Eastmere Health Visiting Service": [
        ("Grace Ottley", "Health Visitor", "grace.ottley@nhs.net", False),
        ("Helen Brackley", "Safeguarding Lead Nurse", "helen.brackley@nhs.net", True),
    ],
    "Riverside Medical Centre": [
        ("Dr Samuel Orrin", "GP Safeguarding Lead", "samuel.orrin@nhs.net", True),
    ],
    "Harbour Lane Surgery": [
        ("Dr Anika Fell", "GP Safeguarding Lead", "anika.fell@nhs.net", True),
    ],
    "Eastmere Council Housing Options": [
        ("Tom Ashworth", "Housing Options Officer", "tom.ashworth@eastmere.gov.uk", True),
    ],
    "Saltmarsh Primary School": [
        (
            "Ruth Kendry",
            "Designated Safeguarding Lead",
            "ruth.kendry@saltmarsh-primary.eastmere.sch.gov.uk",
            True,
        ),
    ],
}

USERS: list[tuple[str, str, str, Role, str | None]] = [
    # username, first, last, role, agency name or None
    ("manager", "Maya", "Holloway", Role.MANAGER, "Eastmere Children's Social Care"),
    ("chair", "Chris", "Ambrose", Role.CHAIR, "Eastmere Children's Social Care"),
    ("chair2", "Nadia", "Penrose", Role.CHAIR, "Eastmere Children's Social Care"),
    ("minutes", "Mina", "Takeley", Role.MINUTE_TAKER, "Eastmere Children's Social Care"),
    ("partner", "Pat", "Rowden", Role.PARTNER, "Eastmere General Hospital NHS Trust"),
    ("admin", "Ada", "Marlowe", Role.ADMINISTRATOR, None),
    ("auditor", "Aisha", "Kendrick", Role.AUDITOR, None),
]


class Command(BaseCommand):
    help = "Loads fictional demonstration agencies, teams and users (safe to run again)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        agencies = {}
        for fields in AGENCIES:
            name = fields["name"]
            agency, _ = Agency.objects.update_or_create(
                name=name, defaults={k: v for k, v in fields.items() if k != "name"}
            )
            agencies[name] = agency
        for agency_name, people in CONTACTS.items():
            for name, role, email, lead in people:
                Contact.objects.update_or_create(
                    agency=agencies[agency_name],
                    email=email,
                    defaults={"name": name, "role": role, "is_safeguarding_lead": lead},
                )
        social_care = agencies["Eastmere Children's Social Care"]
        team, _ = Team.objects.get_or_create(
            name="Eastmere North Assessment Team", defaults={"agency": social_care}
        )
        Team.objects.get_or_create(
            name="Eastmere South Assessment Team", defaults={"agency": social_care}
        )
        users = {}
        for username, first, last, role, home_agency in USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "agency": agencies[home_agency] if home_agency else None,
                    "team": team if role in (Role.CHAIR, Role.MINUTE_TAKER, Role.MANAGER) else None,
                    "email": f"{username}@eastmere.gov.uk",
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        for chair in ("chair", "chair2", "minutes"):
            users[chair].manager = users["manager"]
            users[chair].save(update_fields=["manager"])
        # Every role needs a second factor. Rather than an authenticator app, demo users get
        # backup codes, new ones each run, printed here: each signs in once.
        codes = {username: backup_codes_issue(user=user) for username, user in users.items()}
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(AGENCIES)} agencies."))
        self.stdout.write(
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}), then a security code: use "
            "any of the user's backup codes below, each once."
        )
        for username, first, last, role, _ in USERS:
            self.stdout.write(f"  {username:<8} {first} {last}, {role.label}")
            self.stdout.write(f"           backup codes: {' '.join(codes[username])}")
        encrypted = [a for a in AGENCIES if a.get("minutes_pdf_password")]
        if encrypted:
            self.stdout.write(
                "Minutes to an address outside the secure domains go as an encrypted PDF; "
                "it opens with the agency's password:"
            )
            for fields in encrypted:
                self.stdout.write(f"  {fields['name']}: {fields['minutes_pdf_password']}")
