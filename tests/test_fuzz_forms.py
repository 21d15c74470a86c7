"""Property: no form and no receipt link answers 500, whatever is typed or pasted."""

import re
import time
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import UserSession
from agencies.signin.steps import REAUTHENTICATED
from audit.models import AuditEvent
from config.input_limits import FREE_TEXT_LIMIT
from minutes.models import Delivery
from minutes.receipts_links import receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Adult, Child, Discussion, Invitee
from tests.factories import AgencyFactory, ContactFactory
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
        reverse("strategy:information", args=[d, Invitee.objects.filter(discussion_id=d)[0].pk]),
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


# Bounded input: every text field of every form, at its limit + 1 and at 100,000 characters,
# gets a GOV.UK error and saves nothing. CI runs this on PostgreSQL, which (unlike SQLite)
# refuses a value longer than its column with an error page.

TEXT_TYPES = {"text", "email", "tel", "password", "search", "url", None}


class FormsOnPage(HTMLParser):
    """Each <form method="post"> on a page: its text fields and every value it would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str], dict[str, int | None]]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append(({}, {}) if (a.get("method") or "").lower() == "post" else None)  # type: ignore[arg-type]
            return
        if not self.forms or self.forms[-1] is None or not a.get("name"):
            return
        data, texts = self.forms[-1]
        name = str(a["name"])
        # Numbers (date parts, times, scores) have no length; too long is simply not a number.
        numeric = a.get("inputmode") == "numeric" or "date-input" in (a.get("class") or "")
        limit = 0 if numeric else int(a.get("maxlength") or 0) or None
        if tag == "input":
            kind = a.get("type")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    data[name] = a.get("value") or "on"
            elif kind not in ("submit", "button"):
                data[name] = a.get("value") or ""
                if kind in TEXT_TYPES and name != "csrfmiddlewaretoken":
                    texts[name] = limit
        elif tag == "textarea":
            self._textarea, data[name], texts[name] = name, "", limit
        elif tag == "select":
            self._select = name
            data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            data[self._select] = a.get("value") or ""

    def handle_data(self, text: str) -> None:
        if self._textarea and self.forms and self.forms[-1]:
            self.forms[-1][0][self._textarea] += text.removeprefix("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def everything_stored() -> dict[str, list[tuple]]:
    """Every row the service keeps, but the trail (looking at a page is recorded there) and
    the sessions (which note when someone was last seen)."""
    skip = {AuditEvent, UserSession, Session}
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))  # type: ignore[attr-defined]
        for model in apps.get_models()
        if model not in skip
    }


def over_long_values_refused(client: Client, url: str) -> int:
    """Posts each text field of each form on the page too long; returns how many it tried."""
    tried = 0
    for form in forms_on(client, url):
        data, texts = form
        for name, limit in texts.items():
            ceiling = FREE_TEXT_LIMIT if limit is None else limit or 20
            for length in (ceiling + 1, 100_000):
                before = everything_stored()
                response = client.post(url, {**data, name: "x" * length})
                assert response.status_code < 500, (url, name, length)
                assert "There is a problem" in response.text, (url, name)
                if limit != 0:
                    assert f"must be {ceiling} characters or fewer" in response.text, (url, name)
                assert everything_stored() == before, (url, name, length)
                tried += 1
    return tried + longer_than_any_column_never_fails(client, url)


def longer_than_any_column_never_fails(client: Client, url: str) -> int:
    """A field whose form forgot its column's length would let this value through to a
    varchar column, which PostgreSQL refuses with an error page."""
    longest = max(
        field.max_length or 0
        for model in apps.get_models()
        if model._meta.app_label in ("agencies", "strategy", "minutes")
        for field in model._meta.fields
        if isinstance(field, models.CharField)
    )
    tried = 0
    for index, form in enumerate(forms_on(client, url)):
        for name in form[1]:
            fresh = forms_on(client, url)  # the last post may have saved: a new revision
            if index < len(fresh) and name in fresh[index][1]:
                response = client.post(url, {**fresh[index][0], name: "x" * (longest + 1)})
                assert response.status_code < 500, (url, name)
                tried += 1
    return tried


def forms_on(client: Client, url: str) -> list[tuple[dict[str, str], dict[str, int | None]]]:
    page = client.get(url)
    assert page.status_code == 200, url
    parser = FormsOnPage()
    parser.feed(page.text)
    return [form for form in parser.forms if form]


@pytest.mark.django_db
def test_every_form_refuses_over_long_input_and_saves_nothing(
    record, django_capture_on_commit_callbacks
):
    d = record.discussion.pk
    child = Child.objects.filter(discussion_id=d).first()
    adult = Adult.objects.create(discussion_id=d, name="Sam Testcase", relationship="mother")
    agency = record.agencies[0]
    contact = agency.contacts.first() or ContactFactory(agency=agency)
    chair = verified_client(record.chair, raise_request_exception=False)
    manager = verified_client(record.manager, raise_request_exception=False)
    tried = 0

    tried += over_long_values_refused(Client(raise_request_exception=False), reverse("login"))
    for url in [
        *form_urls(record),
        reverse("strategy:child_edit", args=[d, child.pk]),
        reverse("strategy:adult_edit", args=[d, adult.pk]),
        reverse("signin:reauthenticate"),
    ]:
        tried += over_long_values_refused(chair, url)
    session = chair.session
    session[REAUTHENTICATED] = int(time.time())
    session.save()
    tried += over_long_values_refused(chair, reverse("signin:email"))
    for url in [
        reverse("agencies:create"),
        reverse("agencies:update", args=[agency.pk]),
        reverse("agencies:contact_create", args=[agency.pk]),
        reverse("agencies:contact_update", args=[agency.pk, contact.pk]),
    ]:
        tried += over_long_values_refused(manager, url)

    Discussion.objects.filter(pk=d).update(outcome_recorded_at="2026-11-22T10:00Z")
    tried += over_long_values_refused(chair, reverse("minutes:workspace", args=[d]))
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    delivery = Delivery.objects.first()
    link = reverse(
        "minutes:receipt", args=[receipt_token(delivery_id=delivery.pk, version_id=version.pk)]
    )
    tried += over_long_values_refused(Client(raise_request_exception=False), link)
    tried += over_long_values_refused(chair, reverse("minutes:amend", args=[d]))
    tried += over_long_values_refused(chair, reverse("minutes:revoke", args=[delivery.pk]))
    assert tried > 100  # the walk reached the forms, not just their pages
