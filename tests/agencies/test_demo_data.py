from django.core.management import call_command

from agencies.models import Agency, AgencyKind, Role, User
from agencies.secure_email import is_secure_email


def test_migrations_create_no_users(db):
    assert not User.objects.exists()


def test_demo_data_has_every_role_and_runs_twice(db, capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert Agency.objects.filter(kind=AgencyKind.GP_PRACTICE).count() >= 3
    assert Agency.objects.filter(kind=AgencyKind.HOUSING).count() == 2
    partner = User.objects.get(role=Role.PARTNER)
    assert partner.agency is not None
    assert User.objects.get(username="chair").check_password("eastmere-demo-2026")
    assert "chair" in capsys.readouterr().out


def test_every_demo_agency_outside_the_secure_domains_can_be_sent_minutes(db, capsys):
    """The demo's minutes reach every agency: one without a secure domain has the password
    its encrypted PDF needs, printed for the person trying the service."""
    call_command("load_demo_data")
    out = capsys.readouterr().out
    outside = [a for a in Agency.objects.all() if not is_secure_email(a.secure_email)]
    assert outside
    for agency in outside:
        assert agency.minutes_pdf_password
        assert f"{agency.name}: {agency.minutes_pdf_password}" in out
