"""The agency's minutes PDF password is kept encrypted, is never in the trail, and its key
can be rotated."""

import pytest
from django.core.management import call_command
from django.db import connection

from agencies.models import Agency
from audit.models import AuditEvent
from tests.audit.dump import columns_containing
from tests.factories import AgencyFactory

PASSWORD = "quartz-meadow-lantern-7731"


def stored(agency: Agency) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT minutes_pdf_password FROM agencies_agency WHERE id = %s", [agency.pk]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_password_is_in_no_column_in_plain_text_and_reads_back():
    agency = AgencyFactory(minutes_pdf_password=PASSWORD)
    agency.minutes_pdf_password = PASSWORD  # set twice: the trail sees two saves
    agency.save()
    agency.phone = "01632 960000"
    agency.save()
    assert columns_containing(PASSWORD) == []
    assert columns_containing(PASSWORD[:12]) == []
    assert PASSWORD not in stored(agency)
    assert Agency.objects.get(pk=agency.pk).minutes_pdf_password == PASSWORD
    assert Agency.objects.get(pk=agency.pk).has_minutes_pdf_password


@pytest.mark.django_db
def test_saving_an_agency_unchanged_leaves_its_password_as_it_was():
    agency = AgencyFactory(minutes_pdf_password=PASSWORD)
    token = stored(agency)
    loaded = Agency.objects.get(pk=agency.pk)
    loaded.phone = "01632 960001"
    loaded.save()
    assert stored(agency) == token
    if connection.vendor == "postgresql":
        change = AuditEvent.objects.filter(object_type="agencies_agency", action="row.update")
        assert "minutes_pdf_password" not in change.get().after


@pytest.mark.django_db
def test_a_changed_password_shows_in_the_trail_as_changed_without_its_value():
    agency = AgencyFactory(minutes_pdf_password=PASSWORD)
    agency.minutes_pdf_password = "another-long-password-2"
    agency.save()
    if connection.vendor == "postgresql":
        change = AuditEvent.objects.get(object_type="agencies_agency", action="row.update")
        assert change.after["minutes_pdf_password"] == "(changed; value not recorded)"
        assert "minutes_pdf_password" not in change.before


@pytest.mark.django_db
def test_rotating_the_key_keeps_the_password_readable(settings, capsys):
    settings.FIELD_ENCRYPTION_KEY = ["old key, long and random"]
    agency = AgencyFactory(minutes_pdf_password=PASSWORD)
    settings.FIELD_ENCRYPTION_KEY = ["new key, long and random", "old key, long and random"]
    call_command("field_keys_rotate")
    assert "Re-encrypted 1 secret(s)." in capsys.readouterr().out
    settings.FIELD_ENCRYPTION_KEY = ["new key, long and random"]
    assert Agency.objects.get(pk=agency.pk).minutes_pdf_password == PASSWORD


@pytest.mark.django_db
def test_without_a_key_of_its_own_the_key_follows_secret_key_and_its_fallbacks(settings):
    settings.FIELD_ENCRYPTION_KEY = []
    settings.SECRET_KEY = "first secret key, long and random"
    agency = AgencyFactory(minutes_pdf_password=PASSWORD)
    settings.SECRET_KEY = "second secret key, long and random"
    settings.SECRET_KEY_FALLBACKS = ["first secret key, long and random"]
    assert Agency.objects.get(pk=agency.pk).minutes_pdf_password == PASSWORD
