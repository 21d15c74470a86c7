"""seed_volume: fictional discussions in volume, consistent with how the service behaves."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from minutes.dashboards.lists import LISTS
from minutes.models import Chase, Delivery, MinutesVersion
from strategy.models import Discussion, Invitee


@pytest.fixture
def seeded(db, settings):  # noqa: ANN001
    settings.DEBUG = True
    call_command("seed_volume", discussions=60, agencies=40, months=2, seed=7, stdout=None)


def test_it_seeds_what_it_was_asked_for(seeded) -> None:  # noqa: ANN001
    assert Discussion.objects.count() == 60
    assert Discussion.objects.filter(reference__startswith="SV-").count() == 60
    per_discussion = Delivery.objects.count() / MinutesVersion.objects.count()
    assert 8 <= per_discussion <= 17
    assert Invitee.objects.values("discussion").annotate(n=Count("pk")).filter(n__lt=3).count() == 0


def test_seeded_facts_agree_with_each_other(seeded) -> None:  # noqa: ANN001
    distributed = Discussion.objects.filter(minutes_distributed_at__isnull=False)
    assert not distributed.filter(minutes_distributed_at__lt=F("held_at")).exists()
    assert not Delivery.objects.filter(confirmed_at__lt=F("sent_at")).exists()
    assert not Discussion.objects.filter(held_at__isnull=True, minutes_distributed_at__isnull=False)
    for delivery in Delivery.objects.annotate(n=Count("chases"))[:200]:
        assert delivery.n == delivery.chases_sent
    assert (
        Chase.objects.filter(kind="escalation").count()
        == Delivery.objects.filter(escalated_at__isnull=False).count()
    )


def test_the_dashboards_read_seeded_data(seeded, client_for) -> None:  # noqa: ANN001
    from tests.factories import UserFactory

    client = client_for(UserFactory(username="maya", role="manager"))
    for url in ["/dashboards/", "/dashboards/audit/", "/dashboards/trends/"] + [
        f"/dashboards/{slug}/" for slug in LISTS
    ]:
        assert client.get(url).status_code == 200, url


def test_it_refuses_outside_development(db, settings) -> None:  # noqa: ANN001
    settings.DEBUG = False

    with pytest.raises(CommandError, match="scratch databases"):
        call_command("seed_volume", discussions=5)
