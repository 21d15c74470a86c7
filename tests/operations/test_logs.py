"""Logs a SOC can read: JSON lines with the event, the request id and the user's id, and no
personal data (no names, no free text, no query strings, no signed tokens)."""

import io
import json
import logging

import pytest
from django.test import Client

from config.logs import safe_path, structured_formatter
from minutes.receipts_links import receipt_token
from tests.signin.helpers import verified_client

pytestmark = pytest.mark.django_db


def events(lines: list[dict], name: str) -> list[dict]:
    return [line for line in lines if line["event"] == name]


def test_a_request_is_logged_with_its_id_the_user_id_and_the_url_pattern(alice):
    with log_lines_of() as lines:
        verified_client(alice).get("/dashboards/minutes-overdue/", {"search": "Sky Testcase"})

    finished = events(lines, "request_finished")[-1]
    assert finished["user_id"] == alice.pk
    assert finished["request"] == "GET /dashboards/<slug:slug>/"
    assert finished["view"] == "dashboards:list"
    assert finished["code"] == 200
    assert len(finished["request_id"]) == 36
    started = events(lines, "request_started")[-1]
    assert started["request_id"] == finished["request_id"]
    text = json.dumps(lines)
    assert "Testcase" not in text
    assert "Alice" not in text


def test_a_receipt_links_token_never_reaches_the_logs():
    token = receipt_token(delivery_id=1, version_id=1)

    with log_lines_of() as lines:
        Client().get(f"/minutes/receipt/{token}/")

    assert token not in json.dumps(lines)
    assert events(lines, "request_started")[-1]["request"] == "GET /minutes/receipt/…/"


def test_audit_entries_are_logged_under_the_trails_event_names_without_names(bob):
    with log_lines_of() as lines:
        verified_client(bob).get("/agencies/")  # a chair is refused the directory

    refused = events(lines, "access.refused")
    assert refused and refused[-1]["user_id"] == bob.pk
    assert refused[-1]["logger"] == "audit"
    assert "Bob" not in json.dumps(lines)
    assert events(lines, "signin.succeeded")


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/discussions/123/children/45/", "/discussions/123/children/45/"),
        (
            "/dashboards/minutes-overdue/download.csv?team=3",
            "/dashboards/minutes-overdue/download.csv",
        ),
        ("/minutes/receipt/eyJkIjoxLCJ2IjoxfQ:1vQ:abc/", "/minutes/receipt/…/"),
    ],
)
def test_paths_keep_identifiers_and_lose_tokens_and_queries(path, logged):
    assert safe_path(path) == logged


class log_lines_of:  # noqa: N801 - reads as a phrase: with log_lines_of() as lines
    def __enter__(self) -> list[dict]:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(structured_formatter(as_json=True))
        logging.getLogger().addHandler(self.handler)
        self.lines: list[dict] = []
        return self.lines

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self.handler)
        self.lines.extend(json.loads(line) for line in self.stream.getvalue().splitlines())
