"""Property: no form and no receipt link answers 500, whatever is typed or pasted."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minutes.models import Delivery
from minutes.receipts_links import receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Child, Discussion
from tests.factories import AgencyFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client

FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\sname="([^"]+)"')
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "31",
            "13",
            "2026",
            "24:61",
            "<script>alert(1)</script>",
            "<img src=file:///etc/passwd>",
            "\x00",
            "=cmd|' /C calc'!A0",
            "' OR 1=1 --",
            "٣",
            "１２",
            "NaN",
            "1e309",
        ]
    ),
)
CHECKS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_fields(client: Client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    return sorted(set(FIELD.findall(page.text)) - {"csrfmiddlewaretoken"})


def post_anything_to(client: Client, url: str) -> None:
    """Posts generated values for every field the form shows; none may answer 500."""
    names = form_fields(client, url)

    @CHECKS
    @given(st.fixed_dictionaries({name: NASTY for name in names}))
    def post_anything(data: dict[str, str]) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post_anything()


@pytest.fixture
def record(db, settings, tmp_path):  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    Discussion.objects.filter(pk=record.discussion.pk).update(outcome_recorded_at=None)
    record.discussion.refresh_from_db()
    return record


def form_urls(record) -> list[str]:  # noqa: ANN001
    d = record.discussion.pk
    child = Child.objects.filter(discussion_id=d).first()
    return [
        reverse("strategy:create"),
        reverse("strategy:update", args=[d]),
        reverse("strategy:child_add", args=[d]),
        reverse("strategy:adult_add", args=[d]),
        reverse("strategy:invitees", args=[d]),
        reverse("strategy:attendance", args=[d]),
        reverse("strategy:analysis", args=[d]),
        reverse("strategy:voice", args=[d, child.pk]),
        reverse("strategy:decision", args=[d, child.pk]),
        reverse("strategy:action_add", args=[d]),
        reverse("strategy:plan", args=[d]),
        reverse("strategy:follow_up", args=[d]),
        reverse("strategy:difference_create", args=[d]),
        reverse("strategy:list"),
    ]


@pytest.mark.django_db
def test_no_strategy_form_answers_500(record):
    client = verified_client(record.chair, raise_request_exception=False)
    for url in form_urls(record):
        post_anything_to(client, url)


@pytest.mark.django_db
def test_no_directory_form_answers_500(record):
    client = verified_client(record.manager, raise_request_exception=False)
    agency = AgencyFactory()
    for url in (
        reverse("agencies:create"),
        reverse("agencies:update", args=[agency.pk]),
        reverse("agencies:contact_create", args=[agency.pk]),
    ):
        post_anything_to(client, url)


@pytest.mark.django_db
def test_no_receipt_link_answers_500(record, django_capture_on_commit_callbacks):
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    Discussion.objects.filter(pk=record.discussion.pk).update(
        outcome_recorded_at="2026-11-22T10:00Z"
    )
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    delivery = Delivery.objects.first()
    good = receipt_token(delivery_id=delivery.pk, version_id=version.pk)
    client = Client(raise_request_exception=False)

    @CHECKS
    @given(
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=200
        ).filter(lambda t: "/" not in t and t.strip())
    )
    def open_any_link(token: str) -> None:
        url = f"/minutes/receipt/{quote(token, safe='')}/"
        assert client.get(url).status_code in (400, 404), token  # never a page, never a 500
        assert client.post(url, {"action": "confirm"}).status_code in (400, 404), token

    @CHECKS
    @given(
        st.fixed_dictionaries(
            {
                "action": st.sampled_from(["confirm", "dispute", "fresh-link", "", "other"]),
                "name": NASTY,
                "role": NASTY,
                "confirm": NASTY,
                "dispute_name": NASTY,
                "dispute_role": NASTY,
                "statement": NASTY,
            }
        )
    )
    def post_anything(data: dict[str, str]) -> None:
        assert client.post(f"/minutes/receipt/{good}/", data).status_code < 500, data

    open_any_link()
    post_anything()
