"""Importing GP practices from the NHS ODS epraccur extract: created or updated by ODS code,
never deleted, a closed practice deactivated, every skipped line explained."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency, AgencyKind
from agencies.ods import epraccur_read, readable_name
from tests.factories import AgencyFactory

FICTIONAL = Path(__file__).resolve().parents[2] / "agencies" / "fixtures" / "epraccur-fictional.csv"


def _line(code: str, name: str, status: str = "A", phone: str = "01632 961001") -> str:
    cells = [code, name, "Y99", "QZZ", "", "1 PRETEND ROAD", "EASTMERE", "", "EASTMERE"]
    cells += ["EM1 2AB", "20010401", "", status, "B", "99Z", "20130401", "", phone]
    cells += [""] * 7 + ["4", "0"]
    return ",".join(f'"{cell}"' for cell in cells)


def _import(path: Path | str) -> str:
    out = StringIO()
    call_command("import_gp_practices", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_fictional_file_imports_and_a_second_run_changes_nothing():
    first = _import(FICTIONAL)
    assert first.splitlines()[0] == "Created 5, updated 0, unchanged 0, skipped 2"
    assert "Skipped line 6 Y99006: not a GP practice (prescribing setting 1)" in first
    assert "Skipped line 7 Y99007: proposed, not yet open" in first
    practices = Agency.objects.filter(kind=AgencyKind.GP_PRACTICE)
    assert practices.count() == 5
    fenbrook = practices.get(ods_code="Y99001")
    assert fenbrook.name == "Fictional Fenbrook Surgery"
    assert fenbrook.phone == "01632 961001"
    assert fenbrook.address == "Fenbrook House\n1 Pretend Road\nEastmere\nEastmere"
    assert fenbrook.postcode == "EM1 2AB"
    assert practices.get(ods_code="Y99005").name == "Fictional Heron Lane GP Practice"

    second = _import(FICTIONAL)
    assert second.splitlines()[0] == "Created 0, updated 0, unchanged 5, skipped 2"


@pytest.mark.django_db
def test_an_edited_line_updates_the_practice_matched_by_code_ignoring_case(tmp_path):
    riverside = AgencyFactory(
        name="Riverside Medical Centre",
        kind=AgencyKind.GP_PRACTICE,
        ods_code="z90001",
        phone="01632 960010",
        secure_email="riverside.mc@nhs.net",
    )
    extract = tmp_path / "epraccur.csv"
    extract.write_text(_line("Z90001", "RIVERSIDE MEDICAL CENTRE", phone="01632 960010") + "\n")
    # The first run fills in the address the directory did not have; the second changes nothing.
    assert _import(extract).startswith("Created 0, updated 1, unchanged 0, skipped 0")
    riverside.refresh_from_db()
    assert (riverside.address, riverside.postcode) == (
        "1 Pretend Road\nEastmere\nEastmere",
        "EM1 2AB",
    )
    assert _import(extract).startswith("Created 0, updated 0, unchanged 1, skipped 0")

    extract.write_text(_line("Z90001", "RIVERSIDE HEALTH CENTRE", phone="01632 960099") + "\n")
    assert _import(extract).startswith("Created 0, updated 1, unchanged 0, skipped 0")
    riverside.refresh_from_db()
    assert (riverside.name, riverside.phone) == ("Riverside Health Centre", "01632 960099")
    assert riverside.secure_email == "riverside.mc@nhs.net"
    assert riverside.is_active
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_a_closed_practice_is_deactivated_and_never_deleted(tmp_path):
    harbour = AgencyFactory(
        name="Harbour Lane Surgery", kind=AgencyKind.GP_PRACTICE, ods_code="Z90002"
    )
    extract = tmp_path / "epraccur.csv"
    extract.write_text(_line("Z90002", "HARBOUR LANE SURGERY", status="C") + "\n")
    assert _import(extract).startswith("Created 0, updated 1, unchanged 0, skipped 0")
    harbour.refresh_from_db()
    assert not harbour.is_active
    assert _import(extract).startswith("Created 0, updated 0, unchanged 1, skipped 0")
    extract.write_text("")
    _import(extract)
    assert Agency.objects.filter(pk=harbour.pk).exists()


@pytest.mark.django_db
def test_malformed_and_clashing_lines_are_skipped_with_their_reasons(tmp_path):
    AgencyFactory(name="Fictional Fenbrook Surgery", kind=AgencyKind.GP_PRACTICE, ods_code="")
    AgencyFactory(
        name="Eastmere General Hospital", kind=AgencyKind.ACUTE_HOSPITAL_TRUST, ods_code="RZX01"
    )
    extract = tmp_path / "epraccur.csv"
    extract.write_text(
        "\n".join(
            [
                '"Y99011","FICTIONAL SHORT LINE"',
                _line("", "FICTIONAL NO CODE SURGERY"),
                _line("Y9-01", "FICTIONAL BAD CODE SURGERY"),
                _line("Y99012", ""),
                _line("Y99001", "FICTIONAL FENBROOK SURGERY"),
                _line("RZX01", "FICTIONAL HOSPITAL PRACTICE"),
                _line("Y99013", "FICTIONAL GOOD SURGERY", status="X"),
                _line("Y99014", "FICTIONAL GOOD SURGERY"),
            ]
        )
        + "\n"
    )
    printed = _import(extract)
    assert printed.splitlines()[0] == "Created 1, updated 0, unchanged 0, skipped 7"
    for reason in [
        "Skipped line 1 Y99011: only 2 columns, expected 27",
        "Skipped line 2: no organisation code",
        "Skipped line 3 Y9-01: the organisation code is not 3 to 6 letters and numbers",
        "Skipped line 4 Y99012: no name",
        "Skipped line 5 Y99001: an agency called Fictional Fenbrook Surgery is already in the "
        "directory",
        "Skipped line 6 RZX01: Eastmere General Hospital has this code and is not a GP practice",
        "Skipped line 7 Y99013: unknown status code X",
    ]:
        assert reason in printed
    assert Agency.objects.get(ods_code="Y99014").name == "Fictional Good Surgery"


@pytest.mark.django_db
def test_a_new_practice_waits_deactivated_for_its_secure_email_address():
    _import(FICTIONAL)
    fenbrook = Agency.objects.get(ods_code="Y99001")
    assert fenbrook.secure_email == ""
    assert not fenbrook.is_active


def test_a_missing_file_is_explained():
    with pytest.raises(CommandError, match="Cannot read /nowhere/epraccur.csv"):
        call_command("import_gp_practices", "/nowhere/epraccur.csv")


@pytest.mark.parametrize(
    ("extract", "readable"),
    [
        ("RIVERSIDE MEDICAL CENTRE", "Riverside Medical Centre"),
        ("DR SMITH'S  SURGERY", "Dr Smith's Surgery"),
        ("NHS WALK-IN GP PRACTICE", "NHS Walk-In GP Practice"),
        ("Already Mixed Case", "Already Mixed Case"),
    ],
)
def test_names_in_capitals_are_made_readable(extract, readable):
    assert readable_name(extract) == readable


def test_blank_lines_are_ignored():
    assert list(epraccur_read(["", "\n"])) == []
