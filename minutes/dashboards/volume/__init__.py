"""Fictional strategy discussions in volume, to measure the dashboards against.

Rows go in with ids chosen here, in batches (minutes.dashboards.volume.bulk), a chunk of
discussions per transaction: 100,000 discussions with ~1.5 million deliveries take
minutes on PostgreSQL. Never run against a database holding real records.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction

from agencies.models import Agency, Team, User
from minutes.dashboards.volume.bulk import sequences_reset
from minutes.dashboards.volume.directory import directory_seed
from minutes.dashboards.volume.discussions import DiscussionMaker
from minutes.dashboards.volume.tables import Tables

DAYS_PER_MONTH = 30.44
FOLLOW_UP_DAYS = 14
UPCOMING_DAYS = 7


def _without_row_triggers() -> None:
    """PostgreSQL: this transaction's rows skip row triggers (the audit trail's, and the
    foreign-key checks, which the seed keeps itself). Needs a superuser."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


def volume_seed(
    *,
    discussions: int,
    agencies: int,
    months: float,
    seed: int,
    now: datetime,
    chunk: int = 2000,
    skip_audit_trail: bool = False,
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Seeds the directory and `discussions` discussions spread over the `months` before
    `now` (a few in the week after it, not yet held). Returns rows written per table.

    skip_audit_trail (PostgreSQL only): the rows are not copied into the audit trail,
    which otherwise writes a row for every row seeded and makes seeding several times
    slower. Fictional measurement data has no history worth keeping."""
    rng = random.Random(seed)
    run = f"sv{seed}x{int(now.timestamp()) % 10**6}"
    quiet = skip_audit_trail and connection.vendor == "postgresql"
    with transaction.atomic():
        if quiet:
            _without_row_triggers()
        directory = directory_seed(agencies=agencies, run=run, now=now, rng=rng)
    tables = Tables(now)
    maker = DiscussionMaker(tables, directory, rng, now)
    span = timedelta(days=months * DAYS_PER_MONTH)
    upcoming = round(discussions * UPCOMING_DAYS / max(span.days, 1))  # a week's worth
    held_ones = discussions - upcoming
    gap = round(FOLLOW_UP_DAYS * held_ones / max(span.days, 1))
    first_id = tables.discussion.next_id
    for begin in range(0, discussions, chunk):
        with transaction.atomic():
            if quiet:
                _without_row_triggers()
            for i in range(begin, min(begin + chunk, discussions)):
                if i < held_ones:
                    scheduled = now - span + span * ((i + rng.random()) / held_ones)
                else:
                    scheduled = now + timedelta(hours=rng.randint(2, 24 * 7))
                follows = first_id + i - gap if 0 < gap <= i and rng.random() < 0.08 else None
                never_held = follows is not None and rng.random() < 0.03
                maker.make(scheduled_for=scheduled, follows_id=follows, held=not never_held)
            tables.flush()
        report(f"{min(begin + chunk, discussions):,} of {discussions:,} discussions")
    sequences_reset([Agency, Team, User, *(model for _, model in Tables.MODELS)])
    if connection.vendor == "postgresql":
        # As autovacuum would in time: statistics for the planner, and the visibility map
        # that lets counts read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return tables.counts()
