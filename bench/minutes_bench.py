"""Benchmark of minutes distribution and the delivery sweep, on a scratch PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/minutes_bench.py [--quick] [--keep]

DATABASE_URL names only the server (host, port, user, password): the script creates its own
database on it (``bench_minutes`` unless --db-name says otherwise), marks it with a comment,
works only in a database carrying its mark, and drops it at the end (unless --keep). It
refuses to drop or use an existing database of that name that it did not create.

Figures (see bench/README.md):
  (a) PDF renders for one approved version with 20 invited agencies (target: exactly 1).
  (b) approval -> the 20th delivery accepted by a loopback SMTP server, as a ratio to one
      bare WeasyPrint render of the same HTML (target <= 1.5).
  (c) deliveries_due (the sweep's selection + requeue UPDATE) over 1,000,000 deliveries
      with 1% due, as a ratio to 10,000 deliveries with 1% due (target <= 2).
Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import hashlib
import logging
import multiprocessing
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scratch_db import (  # bench/ is on sys.path when this runs as a script
    Refused,
    require_scratch,
    scratch_create,
    scratch_drop,
    server_from_env,
)

ROOT = Path(__file__).resolve().parent.parent
MARK = "minutes_bench scratch database"
AGENCIES_INVITED = 20
SWEEP_AGENCIES = 1000  # deliveries = versions x agencies, one per (version, agency)
DUE_EVERY = 100  # 1% of deliveries are due
SENDING_EVERY = 10  # of the due ones, 1 in 10 is a send whose lease ran out (requeued)


class BenchTimeout(Exception):
    pass


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    """Raises BenchTimeout in the main thread if the block runs longer than `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        raise BenchTimeout(f"{what} took longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def say(text: str) -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- SMTP server


class QueueHandler:
    """aiosmtpd handler: accepts every message and reports when it was accepted."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        accepted = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on Linux
        self.queue.put((accepted, envelope.original_content or envelope.content))
        return "250 Message accepted"


def smtp_server_process(port: int, queue: Any, ready: Any, stop: Any) -> None:
    """The loopback SMTP server, in a process of its own as a real server would be (so it
    does not share the benchmark's interpreter lock)."""
    from aiosmtpd.controller import Controller

    controller = Controller(
        QueueHandler(queue), hostname="127.0.0.1", port=port, server_hostname="bench.invalid"
    )
    controller.start()
    ready.set()
    try:
        stop.wait(3600)
    finally:
        controller.stop()


class LoopbackSMTP:
    """Starts and stops the server process; collects what it accepted."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.queue = context.Queue()
        self.ready = context.Event()
        self.stop_event = context.Event()
        self.process = context.Process(
            target=smtp_server_process,
            args=(self.port, self.queue, self.ready, self.stop_event),
            daemon=True,
        )

    def start(self) -> None:
        self.process.start()
        if not self.ready.wait(30):
            raise RuntimeError("The loopback SMTP server did not start within 30s")

    def stop(self) -> None:
        self.stop_event.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)

    def collect(self, count: int, seconds: float) -> list[tuple[float, bytes]]:
        """The next `count` accepted messages, waiting at most `seconds` for them."""
        received: list[tuple[float, bytes]] = []
        until = time.monotonic() + seconds
        while len(received) < count:
            try:
                received.append(self.queue.get(timeout=max(until - time.monotonic(), 0.01)))
            except queue.Empty:
                raise RuntimeError(f"Only {len(received)} of {count} messages arrived") from None
        return received

    def drain(self) -> None:
        while True:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                return


def attachment_hashes(raw_messages: list[bytes]) -> set[str]:
    hashes = set()
    for raw in raw_messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.iter_attachments():  # type: ignore[attr-defined]
            if part.get_content_type() == "application/pdf":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    hashes.add(hashlib.sha256(payload).hexdigest())
    return hashes


# --------------------------------------------------------------------------- (a) and (b)

# 20 invited agencies (fictional), with their attendance at the discussion.
INVITED = [
    ("Eastmere Children's Social Care", "childrens_social_care", "attended", "eastmere.gov.uk"),
    ("Eastmere Constabulary", "police", "attended", "eastmere.police.uk"),
    ("Eastmere General Hospital", "acute_hospital_trust", "attended", "nhs.net"),
    ("Eastmere Health Visiting", "public_health_nursing", "apologies", "nhs.net"),
    ("Riverside Medical Centre", "gp_practice", "information_only", "nhs.net"),
    ("Harbour Lane Surgery", "gp_practice", "did_not_attend", "nhs.net"),
    ("Millbrook Family Practice", "gp_practice", "did_not_attend", "nhs.net"),
    ("Eastmere Housing Options", "housing", "apologies", "eastmere.gov.uk"),
    ("Saltmarsh Primary School", "education", "attended", "saltmarsh.eastmere.gov.uk"),
    ("Eastmere Probation", "probation", "information_only", "justice.gov.uk"),
    ("Eastmere Midwifery Service", "midwifery", "attended", "nhs.net"),
    ("Eastmere Mental Health Trust", "mental_health", "apologies", "nhs.net"),
    ("Eastmere Ambulance Service", "ambulance", "information_only", "nhs.net"),
    ("Eastmere Youth Justice", "youth_justice", "attended", "eastmere.gov.uk"),
    ("Eastmere Early Years", "early_years", "did_not_attend", "eastmere.gov.uk"),
    ("Eastmere Recovery Service", "substance_misuse", "apologies", "nhs.net"),
    ("Eastmere Legal Services", "local_authority_legal", "attended", "eastmere.gov.uk"),
    ("Northgate Academy", "education", "information_only", "northgate.eastmere.gov.uk"),
    ("Quayside Surgery", "gp_practice", "did_not_attend", "nhs.net"),
    ("Eastmere Family Hub", "other", "attended", "eastmere.gov.uk"),
]


@dataclass
class Cast:
    """What every repetition shares: the agencies, the team and the people."""

    agencies: list[Any]
    contacts: dict[int, Any]
    team: Any
    chair: Any
    minute_taker: Any


def cast_create() -> Cast:
    from tests.factories import AgencyFactory, ContactFactory, TeamFactory, UserFactory

    agencies = []
    contacts = {}
    for i, (name, kind, _, domain) in enumerate(INVITED):
        slug = re.sub(r"[^a-z]+", ".", name.lower()).strip(".")
        agency = AgencyFactory.create(
            name=name, kind=kind, secure_email=f"minutes.{i}@{domain}", ods_code=""
        )
        agencies.append(agency)
        if i % 4 == 1:  # some invitees name an attendee, who gets a copy too
            contacts[agency.pk] = ContactFactory.create(
                agency=agency, name=f"Lead {i}", email=f"lead.{slug}@{domain}"
            )
    team = TeamFactory.create(agency=agencies[0], name="Bench Assessment Team")
    manager = UserFactory.create(username="bench.maya", role="manager")
    chair = UserFactory.create(username="bench.chris", role="chair", team=team, manager=manager)
    minute_taker = UserFactory.create(username="bench.mina", role="minute_taker", team=team)
    return Cast(agencies, contacts, team, chair, minute_taker)


def held_discussion_20(cast: Cast, number: int) -> Any:
    """A held discussion with its outcome recorded and 20 invited agencies."""
    from django.utils import timezone

    from strategy.models import Action, AgencyPosition, Child, ChildDecision, Discussion, Invitee

    held_at = timezone.now() - timedelta(hours=2)
    discussion = Discussion.objects.create(
        reference=f"SD-2026-B{number:04d}",
        format="video",
        urgency="immediate",
        scheduled_for=held_at,
        held_at=held_at,
        reason="Fictional: bruising to a baby, seen at a health visit.",
        team=cast.team,
        chair=cast.chair,
        minute_taker=cast.minute_taker,
        created_by=cast.chair,
        outcome_recorded_at=held_at,
        worries="A baby with an unexplained bruise.",
        working_well="Mother engaged with the health visitor.",
        contingency_plan="If mother leaves the area, police to be informed.",
    )
    child = Child.objects.create(
        discussion=discussion,
        first_name="Rowan",
        last_name="Testcase",
        date_of_birth=date(2026, 1, 5),
        needs="A baby, not yet mobile.",
    )
    decision = ChildDecision.objects.create(
        child=child,
        threshold_met=True,
        rationale="Unexplained bruising to a non-mobile baby.",
        outcomes=["s47_joint"],
        decided_by=cast.chair,
    )
    for agency, (_, _, attendance, _) in zip(cast.agencies, INVITED, strict=True):
        invitee = Invitee.objects.create(
            discussion=discussion,
            agency=agency,
            contact=cast.contacts.get(agency.pk),
            attendance=attendance,
            why_invited="Statutory partner",
            representative="A representative" if attendance == "attended" else "",
            information_shared=f"{agency.name} shared what it knows of the family.",
        )
        if attendance == "attended":
            AgencyPosition.objects.create(decision=decision, invitee=invitee, position="agrees")
    Action.objects.create(
        discussion=discussion,
        what="Arrange a child protection medical.",
        agency=cast.agencies[2],
        person="Dr Hana Paediatrician",
        due_by=date(2026, 11, 24),
        why="To find out how the bruise was caused.",
    )
    return discussion


@dataclass
class Distribution:
    seconds: float  # approval started -> 20th message accepted
    render_seconds: float  # the one render inside that
    renders: int
    bare_seconds: float
    distinct_pdfs: int
    sent: int
    pdf_bytes: int


def distribution_run(cast: Cast, smtp: LoopbackSMTP, number: int) -> Distribution:
    from minutes import pdf
    from minutes.models import Delivery, DeliveryStatus, MinutesVersion
    from minutes.services.drafting import minutes_approve, minutes_draft

    discussion = held_discussion_20(cast, number)
    draft = minutes_draft(discussion=discussion, user=cast.chair)
    smtp.drain()
    original = pdf.render_minutes_pdf
    rendered: list[tuple[str, float]] = []

    def counting(html: str, **kwargs: Any) -> bytes:
        began = time.monotonic()
        data = original(html, **kwargs)
        rendered.append((html, time.monotonic() - began))
        return data

    pdf.render_minutes_pdf = counting  # type: ignore[assignment]
    try:
        start = time.monotonic()
        # Autocommit, outside any transaction: on_commit runs the eager tasks at once.
        minutes_approve(version_id=draft.pk, approved_by=cast.chair)
    finally:
        pdf.render_minutes_pdf = original  # type: ignore[assignment]
    received = smtp.collect(AGENCIES_INVITED, seconds=15)
    last = max(accepted for accepted, _ in received)
    version = MinutesVersion.objects.get(pk=draft.pk)
    sent = Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count()
    hashes = attachment_hashes([raw for _, raw in received])
    if hashes != {version.pdf_sha256}:
        raise RuntimeError("The messages did not all carry the stored PDF")
    # The same HTML the pipeline rendered, rendered bare (the HTML is built outside the timer).
    html = rendered[0][0] if rendered else pdf.minutes_html(version)
    bare_start = time.monotonic()
    data = original(html)
    bare = time.monotonic() - bare_start
    if not data.startswith(b"%PDF"):
        raise RuntimeError("The bare render did not produce a PDF")
    return Distribution(
        seconds=last - start,
        render_seconds=sum(seconds for _, seconds in rendered),
        renders=len(rendered),
        bare_seconds=bare,
        distinct_pdfs=len(hashes),
        sent=sent,
        pdf_bytes=len(data),
    )


# --------------------------------------------------------------------------- (c) sweep


INSERT_DELIVERIES = f"""
INSERT INTO minutes_delivery (
    version_id, invitee_id, agency_id, recipients, status, attempts, next_attempt_at,
    claimed_at, last_error, sent_at, confirmed_at, confirmed_by_name, confirmed_by_role,
    next_chase_at, chases_sent, revoked_reason, created_at)
SELECT v.id, i.id, i.agency_id, '["minutes@example.nhs.net"]'::jsonb,
    CASE WHEN k.n %% {DUE_EVERY} <> 0 THEN 'sent'
         WHEN (k.n / {DUE_EVERY}) %% {SENDING_EVERY} = 0 THEN 'sending' ELSE 'queued' END,
    CASE WHEN k.n %% {DUE_EVERY} <> 0 THEN 1 ELSE 2 END,
    CASE WHEN k.n %% {DUE_EVERY} <> 0 THEN NULL
         ELSE %(now)s - make_interval(secs => 1 + (k.n * 7919) %% 3600) END,
    CASE WHEN k.n %% {DUE_EVERY} = 0 AND (k.n / {DUE_EVERY}) %% {SENDING_EVERY} = 0
         THEN %(now)s - make_interval(secs => 301 + (k.n * 7919) %% 3600) END,
    '',
    CASE WHEN k.n %% {DUE_EVERY} <> 0 THEN %(now)s - interval '1 day' END,
    CASE WHEN k.n %% {DUE_EVERY} <> 0 THEN %(now)s - interval '12 hours' END,
    '', '', NULL, 0, '', %(now)s - interval '1 day'
FROM (SELECT id, number FROM minutes_minutesversion
      WHERE discussion_id = %(discussion)s AND number BETWEEN %(first)s AND %(last)s) v
CROSS JOIN (SELECT id, agency_id, row_number() OVER (ORDER BY id) - 1 AS rn
            FROM strategy_invitee WHERE discussion_id = %(discussion)s) i
CROSS JOIN LATERAL (SELECT (v.number - 1) * {SWEEP_AGENCIES} + i.rn AS n) k
"""


@dataclass
class SweepWorld:
    discussion_id: int
    versions_loaded: int = 0


def sweep_world_create(cast: Cast, versions: int) -> SweepWorld:
    """1,000 agencies invited to one discussion, and `versions` approved versions of it."""
    from django.utils import timezone

    from agencies.models import Agency
    from minutes.models import MinutesVersion
    from strategy.models import Discussion, Invitee

    now = timezone.now()
    discussion = Discussion.objects.create(
        reference="SD-2026-SWEEP",
        format="meeting",
        urgency="planned",
        scheduled_for=now - timedelta(days=2),
        held_at=now - timedelta(days=2),
        reason="Fictional: a discussion with very many versions, for the sweep benchmark.",
        team=cast.team,
        chair=cast.chair,
        minute_taker=cast.minute_taker,
        created_by=cast.chair,
        outcome_recorded_at=now - timedelta(days=2),
    )
    agencies = Agency.objects.bulk_create(
        Agency(
            name=f"Sweep Agency {n:04d}",
            kind="other",
            secure_email=f"minutes.{n}@example.nhs.net",
            phone="01632 960999",
        )
        for n in range(SWEEP_AGENCIES)
    )
    Invitee.objects.bulk_create(
        Invitee(discussion=discussion, agency=agency, attendance="attended") for agency in agencies
    )
    MinutesVersion.objects.bulk_create(
        MinutesVersion(
            discussion=discussion,
            number=n,
            drafted_by=cast.minute_taker,
            approved_at=now - timedelta(days=1),
            approved_by=cast.chair,
            snapshot={},
        )
        for n in range(1, versions + 1)
    )
    return SweepWorld(discussion.pk)


def sweep_world_grow(world: SweepWorld, versions: int) -> float:
    """Loads deliveries for versions up to `versions` (x 1,000 agencies). Returns seconds."""
    from django.db import connection
    from django.utils import timezone

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            INSERT_DELIVERIES,
            {
                "now": timezone.now(),
                "discussion": world.discussion_id,
                "first": world.versions_loaded + 1,
                "last": versions,
            },
        )
        cursor.execute("SET synchronous_commit = on")
        cursor.execute("VACUUM (ANALYZE) minutes_delivery")
    world.versions_loaded = versions
    return time.perf_counter() - start


def delivery_counts() -> tuple[int, int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), "
            "count(*) FILTER (WHERE status IN ('queued', 'sending') AND next_attempt_at <= now()),"
            "count(*) FILTER (WHERE status = 'sending') FROM minutes_delivery"
        )
        total, due, sending = cursor.fetchone()
    return int(total), int(due), int(sending)


def restore_sending() -> None:
    """Puts back the expired sends that deliveries_due requeued, so every run does the same
    work; then vacuums away the row versions this left (untimed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE minutes_delivery SET status = 'sending', last_error = '' "
            "WHERE status = 'queued' AND claimed_at IS NOT NULL"
        )


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) minutes_delivery")


@dataclass
class SweepTiming:
    rows: int
    due: int
    limit: int
    returned: int
    median_s: float  # deliveries_due: the SELECT of due ids and the requeue UPDATE
    select_median_s: float  # the same SELECT alone


def due_ids_select(now: datetime, limit: int) -> list[int]:
    """The SELECT deliveries_due runs, alone (no requeue UPDATE)."""
    from minutes.services.distribution import ACTIVE

    from minutes.models import Delivery

    due = Delivery.objects.filter(status__in=ACTIVE, next_attempt_at__lte=now)
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def time_deliveries_due(runs: int, limit: int) -> SweepTiming:
    """Median times of deliveries_due(now, limit) and of its SELECT alone, each run on the
    same rows (the requeued expired sends are put back, untimed). Nothing is enqueued."""
    from django.utils import timezone
    from minutes.services.distribution import deliveries_due

    total, due, _ = delivery_counts()
    deliveries_due(timezone.now(), limit=limit)  # warm-up, untimed
    restore_sending()
    vacuum()
    samples, selects = [], []
    returned = 0
    for _ in range(runs):
        now = timezone.now()
        start = time.perf_counter()
        ids = deliveries_due(now, limit=limit)
        samples.append(time.perf_counter() - start)
        returned = len(ids)
        restore_sending()
        now = timezone.now()
        start = time.perf_counter()
        due_ids_select(now, limit)
        selects.append(time.perf_counter() - start)
    vacuum()
    return SweepTiming(
        total, due, limit, returned, statistics.median(samples), statistics.median(selects)
    )


def explain_due(limit: int = 1000) -> str:
    from django.db import connection
    from django.utils import timezone
    from minutes.services.distribution import ACTIVE

    from minutes.models import Delivery

    qs = Delivery.objects.filter(status__in=ACTIVE, next_attempt_at__lte=timezone.now())
    query = qs.order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    shown = sql % tuple(f"'{p}'" if isinstance(p, str | datetime) else p for p in params)
    return f"{shown}\n{plan}"


def due_only_in_first_versions(versions: int) -> None:
    """Marks sent every due delivery outside the first `versions` versions, so the big table
    has exactly the due rows of the small one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE minutes_delivery d SET status = 'sent', next_attempt_at = NULL, "
            "claimed_at = NULL, sent_at = now() FROM minutes_minutesversion v "
            "WHERE d.version_id = v.id AND v.number > %s AND d.status IN ('queued', 'sending')",
            [versions],
        )
        cursor.execute("VACUUM (ANALYZE) minutes_delivery")


# --------------------------------------------------------------------------- main


def configure_django(scratch_url: str, media_root: str, smtp_port: int) -> None:
    os.environ["DATABASE_URL"] = scratch_url
    os.environ["MEDIA_ROOT"] = media_root
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}/?timeout=10"
    os.environ["SITE_URL"] = "http://127.0.0.1:8000"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from config.celery import app

    # Production runs with DEBUG off: no per-query logging in the timings.
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    # kombu warns that the unused broker URL (eager tasks) names no host.
    logging.getLogger("kombu").setLevel(logging.ERROR)
    from django.db import connection

    # Every statement is bounded too.
    connection.settings_dict.setdefault("OPTIONS", {})["options"] = "-c statement_timeout=300000"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--db-name", default="bench_minutes", help="scratch database name")
    parser.add_argument("--reps", type=int, default=5, help="distribution repetitions (b)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per sweep figure (c)")
    parser.add_argument(
        "--budget", type=int, default=0, help="seconds before giving up (default 900, quick 420)"
    )
    args = parser.parse_args(argv)
    if not re.fullmatch(r"bench_[a-z0-9_]{1,40}", args.db_name):
        raise Refused("--db-name must look like bench_something (lower case)")
    big_rows = 100_000 if args.quick else 1_000_000
    small_rows = 10_000
    budget = args.budget or (420 if args.quick else 900)

    server = server_from_env()
    token = scratch_create(server, args.db_name, mark=MARK)
    media_root = tempfile.mkdtemp(prefix="minutes_bench_media_")
    smtp = LoopbackSMTP()
    try:
        with deadline(budget, "the whole benchmark"):
            smtp.start()
            configure_django(server.url(args.db_name), media_root, smtp.port)
            require_scratch(args.db_name, token)
            return run(args, smtp, small_rows, big_rows)
    finally:
        smtp.stop()
        from django.db import connections

        connections.close_all()
        shutil.rmtree(media_root, ignore_errors=True)
        if args.keep:
            say(f"Kept database {args.db_name} (drop it with: DROP DATABASE {args.db_name})")
        else:
            scratch_drop(server, args.db_name, token)


def run(args: argparse.Namespace, smtp: LoopbackSMTP, small_rows: int, big_rows: int) -> int:
    import django
    import weasyprint
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    say(
        f"minutes benchmark ({'quick' if args.quick else 'full'}): Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}, PostgreSQL {pg_version}, "
        f"scratch database {args.db_name}, SMTP 127.0.0.1:{smtp.port}"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"migrated in {time.perf_counter() - started:.1f}s")
    cast = cast_create()

    # (a) and (b): one untimed warm-up (fonts, templates, first SMTP connection), then reps.
    runs: list[Distribution] = []
    for number in range(args.reps + 1):
        result = distribution_run(cast, smtp, number)
        label = "warm-up" if number == 0 else f"rep {number}"
        say(
            f"  (b) {label}: approval -> 20th accepted {result.seconds * 1000:.0f} ms "
            f"(its render {result.render_seconds * 1000:.0f} ms, the rest "
            f"{(result.seconds - result.render_seconds) * 1000:.0f} ms); bare render "
            f"{result.bare_seconds * 1000:.0f} ms; "
            f"ratio {result.seconds / result.bare_seconds:.2f}; "
            f"renders {result.renders}, sent {result.sent}, distinct PDFs "
            f"{result.distinct_pdfs}, PDF {result.pdf_bytes // 1024} KiB"
        )
        if number:
            runs.append(result)
    renders = {r.renders for r in runs}
    pipeline_ms = median_ms([r.seconds for r in runs])
    inner_render_ms = median_ms([r.render_seconds for r in runs])
    rest_ms = median_ms([r.seconds - r.render_seconds for r in runs])
    bare_ms = median_ms([r.bare_seconds for r in runs])
    ratio_b = pipeline_ms / bare_ms

    # (c): the small table, then grown to the big one, then the same due rows as the small.
    small_versions = small_rows // SWEEP_AGENCIES
    big_versions = big_rows // SWEEP_AGENCIES
    world = sweep_world_create(cast, big_versions)
    load_s = sweep_world_grow(world, small_versions)
    say(f"  (c) loaded {delivery_counts()} (rows, due, sending) in {load_s:.1f}s")
    small_default = time_deliveries_due(args.runs, limit=1000)
    small_all = time_deliveries_due(args.runs, limit=10_000)
    load_s = sweep_world_grow(world, big_versions)
    say(f"  (c) loaded {delivery_counts()} (rows, due, sending) in {load_s:.1f}s")
    big_default = time_deliveries_due(args.runs, limit=1000)
    big_all = time_deliveries_due(args.runs, limit=10_000)
    plan_big = explain_due()
    due_only_in_first_versions(small_versions)
    say(f"  (c) kept the small table's due rows only: {delivery_counts()} (rows, due, sending)")
    big_same = time_deliveries_due(args.runs, limit=1000)
    plan_same = explain_due()

    ratio_c = big_default.median_s / small_default.median_s
    ratio_same = big_same.median_s / small_default.median_s
    ratio_all = big_all.median_s / small_all.median_s
    uses_index = all("delivery_due_idx" in p for p in (plan_big, plan_same))

    def sweep_cell(timing: SweepTiming) -> str:
        return (
            f"{timing.median_s * 1000:.2f} ms, {timing.returned} ids "
            f"(SELECT alone {timing.select_median_s * 1000:.2f} ms)"
        )

    big = f"{big_rows:,}"
    small = f"{small_rows:,}"
    lines = [
        ("figure", "value", "target", "result"),
        (
            "(a) PDF renders per approved version, 20 agencies",
            f"{'/'.join(map(str, sorted(renders)))} in each of {len(runs)} approvals",
            "= 1",
            verdict(renders == {1}),
        ),
        (
            f"(b) approval -> 20th delivery accepted, median of {len(runs)}",
            f"{pipeline_ms:.0f} ms",
            "",
            "",
        ),
        ("      of which its one render", f"{inner_render_ms:.0f} ms", "", ""),
        ("      of which approval + 20 sends (the rest)", f"{rest_ms:.0f} ms", "", ""),
        ("    one bare WeasyPrint render of the same HTML", f"{bare_ms:.0f} ms", "", ""),
        ("    ratio", f"{ratio_b:.2f}", "<= 1.5", verdict(ratio_b <= 1.5)),
        (
            f"(c) deliveries_due, {small} rows, 1% due ({small_default.due})",
            sweep_cell(small_default),
            "",
            "",
        ),
        (
            f"    deliveries_due, {big} rows, 1% due ({big_default.due})",
            sweep_cell(big_default),
            "",
            "",
        ),
        (
            f"    ratio {big} / {small}, 1% due, limit 1000 (as the sweep runs)",
            f"{ratio_c:.2f}",
            "<= 2",
            verdict(ratio_c <= 2),
        ),
        (
            f"    deliveries_due, {big} rows, the same {big_same.due} due",
            sweep_cell(big_same),
            "",
            "",
        ),
        (
            f"    ratio {big} / {small}, same {big_same.due} due rows",
            f"{ratio_same:.2f}",
            "<= 2",
            verdict(ratio_same <= 2),
        ),
        (
            f"    all due, limit 10,000: {small} rows, 1% due",
            sweep_cell(small_all),
            "info",
            "",
        ),
        (
            f"    all due, limit 10,000: {big} rows, 1% due",
            sweep_cell(big_all),
            "info",
            "",
        ),
        (
            "    ratio, all due / per due id",
            f"{ratio_all:.2f} / {small_all.median_s / max(small_all.returned, 1) * 1e6:.1f} us "
            f"vs {big_all.median_s / max(big_all.returned, 1) * 1e6:.1f} us",
            "info",
            "",
        ),
        (
            "    due query plan uses delivery_due_idx",
            "yes" if uses_index else "NO",
            "yes",
            verdict(uses_index),
        ),
    ]
    say("")
    say(f"EXPLAIN (ANALYZE, BUFFERS), {big} rows, 1% due ({big_default.due} due):")
    say(plan_big)
    say("")
    say(f"EXPLAIN (ANALYZE, BUFFERS), {big} rows, {big_same.due} due:")
    say(plan_same)
    say("")
    widths = [max(len(row[i]) for row in lines) for i in range(4)]
    for row in lines:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    say("")
    say(
        f"(b) medians over {len(runs)} fresh discussions, Celery eager, one process; "
        f"(c) medians of {args.runs} runs of deliveries_due(now, limit): the SELECT of due ids "
        "and the requeue UPDATE of expired sends; nothing is enqueued or sent."
    )
    say(f"total {time.perf_counter() - started:.0f}s")
    passed = renders == {1} and ratio_b <= 1.5 and ratio_c <= 2 and ratio_same <= 2 and uses_index
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Refused as refusal:
        print(f"minutes_bench: {refusal}", file=sys.stderr)
        sys.exit(2)
    except BenchTimeout as timeout:
        print(f"minutes_bench: timed out: {timeout}", file=sys.stderr)
        sys.exit(3)
