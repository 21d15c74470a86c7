"""Discussions to export: one approved and distributed, and one barely started."""

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from minutes.services.drafting import minutes_approve, minutes_draft
from tests.minutes.conftest import recorded  # noqa: F401
from tests.minutes.records import HeldDiscussion, held_discussion
from tests.strategy.conftest import (  # noqa: F401
    LONDON,
    chair,
    county,
    discussion,
    minute_taker,
    team,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "export" / "discussion.schema.json"


@pytest.fixture(scope="session")
def export_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def distribute(record: HeldDiscussion, capture) -> HeldDiscussion:  # noqa: ANN001
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with capture(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    return record


@pytest.fixture
def distributed(db, settings, tmp_path, django_capture_on_commit_callbacks) -> HeldDiscussion:
    """Held two hours ago, minutes approved and sent to three agencies."""
    settings.MEDIA_ROOT = tmp_path
    return distribute(held_discussion(agencies=3), django_capture_on_commit_callbacks)


HELD_ON = datetime(2026, 11, 23, 10, 5, tzinfo=LONDON)
