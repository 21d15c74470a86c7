"""Any agency raises a professional difference: a receipt-link holder from the receipt
page, and a partner agency user from their agency's minutes. Pat works for the police."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from minutes.models import Delivery
from minutes.receipts_links import receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import ProfessionalDifference
from tests.factories import AgencyFactory, UserFactory
from tests.minutes.records import held_discussion

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_delivery(settings, tmp_path, django_capture_on_commit_callbacks) -> Delivery:
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    return Delivery.objects.get(agency__name="Eastmere Constabulary")


def _difference(social_care_pk: int, prefix: str = "") -> dict[str, object]:
    fields = {
        "raised_by": "DS Priya Wrenfield, Detective Sergeant",
        "with_agency": social_care_pk,
        "raised_with": "The chair",
        "about": "minutes",
        "raised_on_0": "",
        "raised_on_1": "",
        "raised_on_2": "",
        "issue": "The minutes record no further action; we agreed a joint enquiry.",
    }
    today = timezone.localdate()
    fields.update(raised_on_0=today.day, raised_on_1=today.month, raised_on_2=today.year)
    return {f"{prefix}{name}": value for name, value in fields.items()}


def _social_care(delivery: Delivery) -> int:
    return delivery.version.discussion.invitees.get(
        agency__name="Eastmere Children's Social Care"
    ).agency_id


def test_a_receipt_link_holder_raises_a_difference_for_their_agency(
    client, police_delivery
) -> None:  # noqa: ANN001
    url = reverse(
        "minutes:receipt",
        args=[receipt_token(delivery_id=police_delivery.pk, version_id=police_delivery.version_id)],
    )
    page = client.get(url).text
    assert "Do you disagree with a decision, an action or the minutes?" in page
    assert "Eastmere General Hospital" in page  # another invitee, to raise it with

    response = client.post(
        url, {"action": "difference", **_difference(_social_care(police_delivery), "difference-")}
    )

    difference = ProfessionalDifference.objects.get()
    assert difference.raising_agency == police_delivery.agency
    assert (difference.raised_via, difference.about, difference.stage) == (
        "receipt_link",
        "minutes",
        1,
    )
    assert difference.opened_by is None
    assert "Professional difference raised for Eastmere Constabulary at stage 1" in response.text
    event = AuditEvent.objects.get(action="difference.opened")
    assert "by emailed link" in event.actor_label


def test_a_receipt_link_cannot_raise_one_with_an_agency_not_invited(
    client, police_delivery
) -> None:  # noqa: ANN001
    url = reverse(
        "minutes:receipt",
        args=[receipt_token(delivery_id=police_delivery.pk, version_id=police_delivery.version_id)],
    )
    data = _difference(police_delivery.agency_id, "difference-")  # itself: not a choice

    response = client.post(url, {"action": "difference", **data})

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not ProfessionalDifference.objects.exists()


def test_a_partner_user_raises_one_from_their_agencys_minutes(client_for, police_delivery) -> None:  # noqa: ANN001
    pat = UserFactory(username="pat", role="partner", agency=police_delivery.agency)
    client = client_for(pat)
    assert "Raise a professional difference" in client.get(reverse("minutes:partner")).text
    url = reverse("minutes:partner_difference", args=[police_delivery.pk])

    client.post(url, _difference(_social_care(police_delivery)))

    difference = ProfessionalDifference.objects.get()
    assert (difference.raising_agency, difference.raised_via) == (police_delivery.agency, "partner")
    assert difference.opened_by == pat


def test_a_partner_of_another_agency_cannot(client_for, police_delivery) -> None:  # noqa: ANN001
    other = UserFactory(username="far", role="partner", agency=AgencyFactory())
    url = reverse("minutes:partner_difference", args=[police_delivery.pk])

    assert client_for(other).get(url).status_code == 404
