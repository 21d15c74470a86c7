import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minutes.models import Delivery, Dispute, MinutesVersion
from minutes.services.drafting import amendment_start, minutes_approve, minutes_draft
from minutes.services.lifecycle import receipt_confirm
from minutes.services.receipts import dispute_raise
from tests.factories import AgencyFactory, UserFactory
from tests.minutes.records import held_discussion


@pytest.fixture
def approved(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    return record


@pytest.mark.django_db
def test_an_amendment_is_redistributed_and_old_versions_stay_readable(
    approved, mailoutbox, django_capture_on_commit_callbacks, client_for
):
    record = approved
    first = Delivery.objects.filter(version__number=1).first()
    receipt_confirm(delivery=first, name="A Person", role="Nurse")
    dispute_raise(delivery=first, name="A Person", role="Nurse", statement="Wrong date")
    with pytest.raises(ValidationError):
        amendment_start(
            discussion=record.discussion, user=record.chair, reason="", change_summary=""
        )
    version2 = amendment_start(
        discussion=record.discussion,
        user=record.chair,
        reason="Hospital's position recorded wrongly",
        change_summary="Hospital disagreement added",
    )
    record.discussion.refresh_from_db()
    assert record.discussion.is_editable  # the record can be corrected again
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version2.pk, approved_by=record.chair)
    assert len(mailoutbox) == 3
    assert all("(amended, version 2)" in m.subject for m in mailoutbox)
    assert all("What changed: Hospital disagreement added" in m.body for m in mailoutbox)
    assert Dispute.objects.get().resolved_by_version == version2
    # version 1 and its receipt are still there
    first.refresh_from_db()
    assert first.confirmed_by_name == "A Person"
    client = client_for(record.chair)
    old = client.get(reverse("minutes:version", args=[first.version_id]))
    assert old.status_code == 200
    assert MinutesVersion.objects.filter(discussion=record.discussion).count() == 2


@pytest.mark.django_db
def test_who_may_see_the_minutes(approved, client_for):
    record = approved
    version = MinutesVersion.objects.get()
    police = Delivery.objects.get(agency__name="Eastmere Constabulary")
    police_user = UserFactory(username="pc", role="partner", agency=police.agency)
    outsider = UserFactory(
        username="outsider", role="partner", agency=AgencyFactory(name="Faraway Trust")
    )
    version_url = reverse("minutes:version", args=[version.pk])
    pdf_url = reverse("minutes:version_pdf", args=[version.pk])
    workspace = reverse("minutes:workspace", args=[record.discussion.pk])

    chair = client_for(record.chair)
    assert chair.get(workspace).status_code == 200
    assert chair.get(pdf_url)["Content-Type"] == "application/pdf"

    partner = client_for(police_user)
    assert partner.get(version_url).status_code == 200
    assert partner.get(pdf_url).status_code == 200
    assert partner.get(workspace).status_code == 404
    other_agency = client_for(outsider)
    assert other_agency.get(version_url).status_code == 404  # their agency was not sent it
    assert other_agency.get(pdf_url).status_code == 404

    police.revoked_at = police.sent_at
    police.save()
    assert partner.get(version_url).status_code == 404


@pytest.mark.django_db
def test_partner_confirms_from_their_own_list(approved, client_for):
    police = Delivery.objects.get(agency__name="Eastmere Constabulary")
    user = UserFactory(
        username="pc",
        role="partner",
        agency=police.agency,
        first_name="Priya",
        last_name="Wrenfield",
    )
    client = client_for(user)
    listing = client.get(reverse("minutes:partner"))
    assert "SD-2026-00077" in listing.text
    assert "Waiting for your agency to confirm receipt" in listing.text
    # More than the reference: which family, so they can tell one discussion from another.
    for child in police.version.discussion.children.all():
        assert f"{child.full_name} (born {child.date_of_birth.day} " in listing.text
    other = Delivery.objects.exclude(agency=police.agency).first()
    assert client.post(reverse("minutes:partner_confirm", args=[other.pk])).status_code == 404
    client.post(reverse("minutes:partner_confirm", args=[police.pk]), {"role": "DS"})
    police.refresh_from_db()
    assert police.confirmed_by_user == user
    assert police.confirmed_by_name == "Priya Wrenfield"
    other.refresh_from_db()
    assert other.confirmed_at is None


@pytest.mark.django_db
def test_a_partner_role_longer_than_its_column_is_refused_not_an_error(approved, client_for):
    police = Delivery.objects.get(agency__name="Eastmere Constabulary")
    user = UserFactory(username="pc", role="partner", agency=police.agency)
    url = reverse("minutes:partner_confirm", args=[police.pk])
    page = client_for(user).post(url, {"role": "x" * 5000}, follow=True)
    assert page.status_code == 200
    assert "Your role must be 200 characters or fewer" in page.text
    police.refresh_from_db()
    assert police.confirmed_at is None


@pytest.mark.django_db
def test_only_the_chair_approves_revokes_and_amends(approved, client_for):
    record = approved
    minute_taker = record.discussion.minute_taker
    client = client_for(minute_taker)
    delivery = Delivery.objects.first()
    assert client.post(reverse("minutes:approve", args=[record.discussion.pk])).status_code == 404
    assert client.get(reverse("minutes:revoke", args=[delivery.pk])).status_code == 404
    assert client.get(reverse("minutes:amend", args=[record.discussion.pk])).status_code == 404
    chair = client_for(record.chair)
    bad = chair.post(reverse("minutes:revoke", args=[delivery.pk]), {"reason": ""})
    assert "Give the reason the minutes were sent in error" in bad.text
    chair.post(reverse("minutes:revoke", args=[delivery.pk]), {"reason": "Wrong address"})
    delivery.refresh_from_db()
    assert delivery.is_revoked
