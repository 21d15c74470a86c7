"""Every dashboard page and download runs the same number of queries at 3 discussions as
at 30: nothing is fetched row by row."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from minutes.dashboards.lists import LISTS
from minutes.models import MinutesVersion
from strategy.models import CaseTransfer
from tests.dashboards import builders as b
from tests.factories import AgencyFactory

URLS = [
    "/dashboards/",
    "/dashboards/audit/",
    "/dashboards/audit/figures.csv",
    "/dashboards/audit/agencies.csv",
    "/dashboards/trends/",
    "/dashboards/trends/trends.csv",
    *[f"/dashboards/{slug}/" for slug in LISTS],
    *[f"/dashboards/{slug}/download.csv" for slug in LISTS],
]


def on_every_list(p: b.Partnership, n: int) -> None:  # noqa: ANN001
    """A discussion that appears on every list (and in the audit), `n` times over."""
    a = p.agencies
    name = "Westmere Children's Services"  # called more than once per test
    receiving = Agency.objects.filter(name=name).first() or AgencyFactory.create(
        name=name, kind="childrens_social_care"
    )
    for i in range(n):
        team, chair = (p.north, p.chris) if i % 2 else (p.south, p.nadia)
        d = b.discussion(p, held_at=b.at(16, 9) - timedelta(minutes=i), team=team, chair=chair,
                         concern_raised_at=b.at(2, 9))  # fmt: skip
        for key in ("csc", "police", "hospital", "gp_a", "housing"):
            b.invite(d, a[key], "attended")
        c = b.child(d, gp=a["gp_a"], conference_due_by=date(2026, 3, 20))
        b.position(c, d.invitees.get(agency=a["police"]))
        b.difference(d, opened_at=b.at(16, 12), due_on=date(2026, 3, 17))
        v = b.version(d)
        MinutesVersion.objects.filter(pk=v.pk).update(
            pdf_status="failed", pdf_error="Fictional: the renderer ran out of memory"
        )
        b.delivery(v, a["police"], sent_at=b.at(18, 2))
        b.delivery(v, a["hospital"], sent_at=b.at(16, 12), chases=1)
        b.delivery(v, a["housing"], sent_at=b.at(10, 12), chases=4, escalated_at=b.at(14, 12))
        b.delivery(v, a["gp_a"], sent_at=None, status="failed", last_error="550 refused")
        confirmed = b.delivery(v, a["csc"], sent_at=b.at(16, 12),
                               confirmed_after=timedelta(hours=3))  # fmt: skip
        b.dispute(confirmed, raised_at=b.at(17, 9))
        b.delivery(b.version(d, 2), a["csc"], sent_at=b.at(16, 13), revoked_at=b.at(16, 14))
        b.action(d, a["police"], due_by=date(2026, 3, 17))
        CaseTransfer.objects.create(
            discussion=d, receiving_authority=receiving, proposed_on=date(2026, 3, 10),
            recorded_by=chair,
        )  # fmt: skip
        b.discussion(p, held_at=None, scheduled_for=b.at(14, 9), follows=d,
                     follow_up_due_by=date(2026, 3, 15), team=team, chair=chair)  # fmt: skip
        b.discussion(p, held_at=b.at(17, 16) - timedelta(minutes=i), team=team, chair=chair)


def queries_for(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["maya", "chris"])
def test_queries_do_not_grow_with_the_data(
    who, p, frozen, client_for, django_assert_num_queries
) -> None:  # noqa: ANN001
    client = client_for(p.people[who])
    on_every_list(p, 3)
    at_three = {url: queries_for(client, url) for url in URLS}

    on_every_list(p, 27)
    for url in URLS:
        with django_assert_num_queries(at_three[url]):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)


def test_the_fixture_fills_every_list(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    on_every_list(p, 30)
    client = client_for(maya)

    for slug in LISTS:
        assert "found" in client.get(f"/dashboards/{slug}/").text, slug
    assert "30 found" in client.get("/dashboards/minutes-overdue/").text
