import pytest

from agencies.models import Agency
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_adds_an_agency_in_the_browser(page):
    UserFactory(username="alice", role="manager")
    sign_in(page, "alice")
    page.get_by_role("link", name="Agencies", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Add an agency").click()

    # A first try with mistakes: the error summary names them and nothing is saved.
    page.get_by_label("Name", exact=True).fill("Westfield Surgery")
    page.get_by_label("Kind of agency").select_option(label="GP practice")
    page.get_by_label("Secure email address for minutes").fill("westfield@gmail.example")
    page.get_by_role("button", name="Save agency").click()
    summary = page.locator(".govuk-error-summary")
    assert "Give a reason for sending minutes to westfield@gmail.example" in summary.inner_text()
    assert "phone" not in summary.inner_text()  # a GP practice needs no phone number
    assert page.get_by_label("Name", exact=True).input_value() == "Westfield Surgery"
    assert_accessible(page)
    assert not Agency.objects.exists()

    page.get_by_label("Secure email address for minutes").fill("westfield.surgery@nhs.net")
    page.get_by_label("ODS code").fill("Z90200")
    page.get_by_role("button", name="Save agency").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Westfield Surgery"
    assert "Westfield Surgery added to the directory" in page.content()
    assert_accessible(page)
    assert Agency.objects.get().ods_code == "Z90200"
