from django.core.management import call_command

from agencies.models import Agency, AgencyKind, Role, User


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
