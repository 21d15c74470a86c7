import pytest

from agencies.secure_email import is_secure_email

DOMAINS = ["nhs.net", "*.police.uk", "cjsm.net", "*.gov.uk"]


@pytest.mark.parametrize(
    ("address", "secure"),
    [
        ("someone@nhs.net", True),
        ("someone@NHS.NET", True),
        ("ppu@eastmere.police.uk", True),
        ("ppu@police.uk.example", False),
        ("x@fakenhs.net", False),
        ("dsl@school.eastmere.sch.gov.uk", True),
        ("someone@gmail.example", False),
        ("x@evilpolice.uk", False),
    ],
)
def test_secure_domain_matching(address, secure):
    assert is_secure_email(address, DOMAINS) is secure
