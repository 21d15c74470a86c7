"""Benchmark of minutes distribution through the outbox, and of the outbox sweep, on a scratch
PostgreSQL database, a real Celery worker on Redis and a loopback SMTP server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/minutes_bench.py [--quick] [--keep]

DATABASE_URL names only the server (host, port, user, password): the script creates its own
database on it (``bench_minutes`` unless --db-name says otherwise), marks it with a comment,
works only in a database carrying its mark, and drops it at the end (unless --keep). It
refuses to drop or use an existing database of that name that it did not create. Redis
database 13 on 127.0.0.1:6379 is the worker's broker: flushed (FLUSHDB) at the start and the
end; the script refuses to run if Redis does not answer.

Figures (see bench/README.md):
  (a) PDF renders per approved version with 20 invited agencies (target: exactly 1), read
      from MinutesVersion.pdf_attempts; every accepted email must carry the same PDF.
  (b) approval -> the 20th delivery accepted by the loopback SMTP server, sent by a real
      `celery -A config worker --concurrency=2`, as a ratio to one bare WeasyPrint render of
      the same HTML in this process (target <= 1.3, goal 1.2).
  (c) outbox.sending.messages_due(now) (the sweep's database work, default limit) over
      1,000,000 outbox messages with 1% due, as a ratio to 10,000 with 1% due (target <= 1.5).
Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import gc
import hashlib
import logging
import multiprocessing
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
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
REDIS_PORT = 6379
REDIS_DB = 13
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
COLLECT_SECONDS = 60  # approval -> 20 messages accepted, at most
TARGET_B = 1.3
GOAL_B = 1.2
TARGET_C = 1.5
# (c): per 1,000 rows, by n % 1000: 10 due, 5 held, 2 retrying later, 10 failed, 30 cancelled,
# the rest sent. Of the due rows, LAPSED are sends whose lease ran out (a dead worker's).
DUE_PER_MILLE = 10
LAPSED = 5
SELECT_REPEATS = 10  # the SELECT alone is timed this many times per run
BARE_RENDERS = 3  # (b)'s denominator: the median of this many bare renders per repetition
SERVER_ALONE_RUNS = 7  # the loopback server's own time for the 20 emails, measured apart


class BenchTimeout(Exception):
    pass


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    """Raises BenchTimeout in the main thread if the block runs longer than `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        # Raised where the main thread happens to be; if that is somewhere that swallows it
        # (a destructor, a broker hint's `except Exception`), it is raised again a second later.
        signal.alarm(1)
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


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def say(text: str) -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- SMTP server


class KeepingHandler:
    """aiosmtpd handler: accepts every message and keeps it, with when it was accepted, in
    the server's own memory. Nothing is copied out while messages arrive: one semaphore
    release per message tells the benchmark how many there are, and the messages themselves
    cross to the benchmark's process only when it asks, after the timed part (copying 60 KB
    emails through a pipe as they arrived cost CPU that the worker and the server share on
    a two-CPU machine, and the server's replies waited on its queue's thread)."""

    def __init__(self, arrived: Any) -> None:
        self.arrived = arrived
        self.kept: list[tuple[float, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        accepted = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on Linux
        self.kept.append((accepted, envelope.original_content or envelope.content))
        self.arrived.release()
        return "250 Message accepted"

    def take(self) -> list[tuple[float, bytes]]:
        taken, self.kept = self.kept, []  # one swap: the handler only ever appends
        return taken


def smtp_server_process(port: int, arrived: Any, asked: Any, out: Any, stop: Any) -> None:
    """The loopback SMTP server, in a process of its own as a real server would be (so it
    does not share the benchmark's interpreter lock). Hands over what it kept when asked."""
    from aiosmtpd.controller import Controller

    handler = KeepingHandler(arrived)
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="bench.invalid"
    )
    controller.start()
    out.put("ready")
    try:
        while not stop.is_set():
            if asked.wait(1):
                asked.clear()
                out.put(handler.take())
    finally:
        controller.stop()


class LoopbackSMTP:
    """Starts and stops the server process; collects what it accepted."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.arrived = context.Semaphore(0)
        self.asked = context.Event()
        self.out = context.Queue()
        self.stop_event = context.Event()
        self.process = context.Process(
            target=smtp_server_process,
            args=(self.port, self.arrived, self.asked, self.out, self.stop_event),
            daemon=True,
        )

    def start(self) -> None:
        self.process.start()
        try:
            self.out.get(timeout=30)
        except queue.Empty:
            raise RuntimeError("The loopback SMTP server did not start within 30s") from None

    def stop(self) -> None:
        if self.process.pid is None:
            return
        self.stop_event.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)

    def wait_for(self, count: int, seconds: float) -> None:
        """Blocks (no polling) until `count` more messages were accepted."""
        until = time.monotonic() + seconds
        for done in range(count):
            if not self.arrived.acquire(timeout=max(until - time.monotonic(), 0.01)):
                raise RuntimeError(f"Only {done} of {count} messages arrived")

    def taken(self) -> list[tuple[float, bytes]]:
        """Everything accepted since the last call, from the server's process."""
        self.asked.set()
        return list(self.out.get(timeout=30))

    def collect(self, count: int, seconds: float) -> list[tuple[float, bytes]]:
        """The next `count` accepted messages, waiting at most `seconds` for them."""
        self.wait_for(count, seconds)
        received = self.taken()
        if len(received) != count:
            raise RuntimeError(f"{len(received)} messages arrived, not {count}")
        return received

    def drain(self) -> None:
        # Fetched first, then one permit taken per message fetched: the handler keeps a
        # message before it releases its permit, so each acquire is matched.
        for _ in self.taken():
            self.arrived.acquire(timeout=5)


def attachment_hashes(raw_messages: list[bytes]) -> list[str]:
    """The sha256 of every PDF attached to every message, in order."""
    hashes = []
    for raw in raw_messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.iter_attachments():  # type: ignore[attr-defined]
            if part.get_content_type() == "application/pdf":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    hashes.append(hashlib.sha256(payload).hexdigest())
    return hashes


# --------------------------------------------------------------------------- Redis, worker


def redis_client() -> Any:
    import redis

    return redis.Redis(
        host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB, socket_timeout=3, socket_connect_timeout=2
    )


def redis_require() -> None:
    import redis

    try:
        redis_client().ping()
    except redis.RedisError as error:
        raise Refused(f"Redis does not answer on 127.0.0.1:{REDIS_PORT} ({error})") from None


def redis_flushdb() -> None:
    """FLUSHDB of the benchmark's own database number, never FLUSHALL."""
    with contextlib.suppress(Exception):
        redis_client().flushdb()


class Worker:
    """`celery -A config worker --concurrency=2` in a process group of its own, so that it and
    its pool stop together. Its log says when each task was received and finished."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self, seconds: float = 60) -> float:
        began = time.monotonic()
        self.popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                "minutesbench@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        until = began + seconds
        while time.monotonic() < until:
            if self.popen.poll() is not None:
                raise RuntimeError(f"The Celery worker exited early:\n{self.tail()}")
            if " ready." in self.tail(20_000):
                return time.monotonic() - began
            time.sleep(0.1)
        raise RuntimeError(f"The Celery worker was not ready within {seconds:.0f}s:\n{self.tail()}")

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, grace: float = 15) -> None:
        if self.popen is None:
            return
        pid = self.popen.pid
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):  # the pool, if it outlived its parent
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def service_env(scratch_url: str, media_root: str, var_dir: str, smtp_port: int) -> dict[str, str]:
    """The environment of the worker, and of this script's own Django: production-like."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=scratch_url,
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}/?timeout=10&insecure=true",
        MEDIA_ROOT=media_root,
        VAR_DIR=var_dir,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        SITE_URL="http://127.0.0.1:8000",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


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
    seconds: float  # minutes_approve called -> the 20th message accepted
    approve_seconds: float  # minutes_approve in this process: the transaction and the hint
    to_render: float  # minutes_approve called -> the worker claimed the render
    render_step: float  # render claimed -> PDF stored, messages released (pdf_rendered_at)
    # PDF recorded -> the sends claimed (the release and the claim, before the commit)
    to_first_send: float
    sends: float  # the sends claimed -> the 20th message accepted (commit, build, send)
    sending: tuple[float, float, float]  # from approval: claimed, first and 20th accepted
    accept_gap_ms: float  # the first to the 20th acceptance / 19
    renders: int  # pdf_attempts
    bare_seconds: float  # the median of BARE_RENDERS bare renders
    pdf_count: int  # PDFs attached across the 20 emails
    distinct_pdfs: int
    sent: int
    pdf_bytes: int
    emails: list[bytes]  # as the server accepted them


def wait_recorded(version_id: int, count: int, seconds: float = 10) -> int:
    """The SMTP server accepts a message before the worker records it: wait for the record."""
    from outbox.models import Message, MessageKind, MessageState

    until = time.monotonic() + seconds
    while True:
        sent = Message.objects.filter(
            version_id=version_id, kind=MessageKind.MINUTES, state=MessageState.SENT
        ).count()
        if sent >= count or time.monotonic() > until:
            return sent
        time.sleep(0.05)


def distribution_run(
    cast: Cast, smtp: LoopbackSMTP, bare: BareRenderer, number: int
) -> Distribution:
    from minutes import pdf
    from minutes.models import Delivery, DeliveryStatus, MinutesVersion
    from minutes.services.drafting import minutes_approve, minutes_draft
    from outbox.models import Attempt, Message, MessageKind

    discussion = held_discussion_20(cast, number)
    draft = minutes_draft(discussion=discussion, user=cast.chair)
    smtp.drain()
    wall0, start = time.time(), time.monotonic()
    # Autocommit, outside any transaction: the render hint goes to Redis as approval commits,
    # and the worker does the rest.
    minutes_approve(version_id=draft.pk, approved_by=cast.chair)
    approve_seconds = time.monotonic() - start
    received = smtp.collect(AGENCIES_INVITED, seconds=COLLECT_SECONDS)
    last = max(accepted for accepted, _ in received)
    messages_sent = wait_recorded(draft.pk, AGENCIES_INVITED)
    version = MinutesVersion.objects.select_related("discussion", "approved_by").get(pk=draft.pk)
    sent = Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count()
    if messages_sent != AGENCIES_INVITED or sent != AGENCIES_INVITED:
        raise RuntimeError(f"Recorded sent: {messages_sent} messages, {sent} deliveries")
    hashes = attachment_hashes([raw for _, raw in received])
    if len(hashes) != AGENCIES_INVITED or set(hashes) != {version.pdf_sha256}:
        raise RuntimeError("The accepted emails did not all carry the one stored PDF")

    # Where the time went, from the rows' own timestamps (one machine, one wall clock).
    assert version.pdf_claimed_at is not None and version.pdf_rendered_at is not None
    claimed_at, rendered_at = (
        version.pdf_claimed_at.timestamp(),
        version.pdf_rendered_at.timestamp(),
    )
    ids = sorted(
        Message.objects.filter(version_id=version.pk, kind=MessageKind.MINUTES).values_list(
            "pk", flat=True
        )
    )
    attempts = list(Attempt.objects.filter(message_id__in=ids))
    accepted_by_id = {
        int(re.search(rb"X-Outbox-Message: (\d+)", raw)[1]): accepted  # type: ignore[index]
        for accepted, raw in received
    }
    # The process that made the PDF claims and sends all 20 itself (RENDERER_SENDS), over
    # its OUTBOX_SMTP_SESSIONS sessions.
    accepted = sorted(accepted_by_id[pk] - start for pk in ids)
    first_claim = min(a.started_at for a in attempts).timestamp()
    sending = (first_claim - wall0, accepted[0], accepted[-1])
    gap = (accepted[-1] - accepted[0]) / max(len(ids) - 1, 1)
    last_wall = wall0 + (last - start)

    # The same HTML the worker rendered, rendered bare (the HTML is built outside the timer)
    # in a process like the worker's, a few times: one render's time on this machine varies
    # by a fifth from one to the next.
    bare_samples, pdf_bytes = bare.render(pdf.minutes_html(version), BARE_RENDERS)
    bare_seconds = statistics.median(bare_samples)
    return Distribution(
        seconds=last - start,
        approve_seconds=approve_seconds,
        to_render=claimed_at - wall0,
        render_step=rendered_at - claimed_at,
        to_first_send=first_claim - rendered_at,
        sends=last_wall - first_claim,
        sending=sending,
        accept_gap_ms=gap * 1000,
        renders=version.pdf_attempts,
        bare_seconds=bare_seconds,
        pdf_count=len(hashes),
        distinct_pdfs=len(set(hashes)),
        sent=sent,
        pdf_bytes=pdf_bytes,
        emails=[raw for _, raw in received],
    )


class BareRenderer:
    """(b)'s denominator: renders HTML in a child process forked once Django is set up and
    before anything else is built, as Celery's prefork pool forks its processes from a worker
    that has only started. Rendered in this script's own process, the same HTML took 10-25 ms
    longer or shorter from one edit of this script to the next (what the script had built and
    kept by then): a process like the worker's measures the render, not this script's heap."""

    def __init__(self) -> None:
        from django.db import connections

        connections.close_all()  # the child never uses this process's connections
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        # The child closes its copy of this end, so it reads end-of-file and exits if this
        # process dies without stopping it (even by SIGKILL).
        self.process = context.Process(
            target=_bare_render_loop, args=(child, self.conn), daemon=True
        )
        self.process.start()
        child.close()

    def render(self, html: str, times: int) -> tuple[list[float], int]:
        """Each render's seconds, and the PDF's size in bytes."""
        try:
            self.conn.send((html, times))
            if not self.conn.poll(COLLECT_SECONDS * times):
                raise RuntimeError("The bare renderer did not answer")
            reply = self.conn.recv()
        except (EOFError, OSError) as error:
            raise RuntimeError(f"The bare renderer stopped ({self.process.exitcode})") from error
        if isinstance(reply, str):
            raise RuntimeError(f"The bare render failed: {reply}")
        samples, size = reply
        return list(samples), int(size)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def _bare_render_loop(conn: Any, parents_end: Any) -> None:
    from minutes import pdf

    parents_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops it
    gc.freeze()  # the start-up heap, as a pool process's after it is forked
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the parent is gone
            return
        if job is None:
            return
        html, times = job
        try:
            samples = []
            for _ in range(times):
                start = time.monotonic()
                data = pdf.render_minutes_pdf(html)
                samples.append(time.monotonic() - start)
                if not data.startswith(b"%PDF"):
                    raise RuntimeError("no PDF")
            conn.send((samples, len(data)))
        except Exception as error:  # reported in the parent, which stops the run
            conn.send(f"{type(error).__name__}: {error}")


def server_alone(smtp: LoopbackSMTP, emails: list[bytes]) -> float:
    """The loopback server's own time for these emails: two plain SMTP clients (threads), one
    connection and half the emails each, the emails already made; nothing else runs.
    Seconds from the first connection to the last acceptance."""
    import smtplib
    import threading

    half = (len(emails) + 1) // 2

    def client(chunk: list[bytes]) -> None:
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=10) as session:
            for raw in chunk:
                session.sendmail("bench@eastmere.gov.uk", ["lead@nhs.net"], raw)

    smtp.drain()
    threads = [threading.Thread(target=client, args=(c,)) for c in (emails[:half], emails[half:])]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = smtp.collect(len(emails), seconds=COLLECT_SECONDS)
    return max(accepted for accepted, _ in received) - start


def describe(label: str, r: Distribution) -> str:
    return (
        f"  (b) {label}: approval -> 20th accepted {r.seconds * 1000:.0f} ms = approve "
        f"{r.approve_seconds * 1000:.0f} (to render claim {r.to_render * 1000:.0f}) + render "
        f"step {r.render_step * 1000:.0f} + to first send {r.to_first_send * 1000:.0f} + sends "
        f"{r.sends * 1000:.0f} (claimed/first/last accepted at "
        f"{'/'.join(f'{t * 1000:.0f}' for t in r.sending)}; "
        f"{r.accept_gap_ms:.1f} ms between acceptances); "
        f"bare render {r.bare_seconds * 1000:.0f} ms; "
        f"ratio {r.seconds / r.bare_seconds:.2f}; renders {r.renders}, sent {r.sent}, "
        f"PDFs {r.pdf_count} ({r.distinct_pdfs} distinct), {r.pdf_bytes // 1024} KiB"
    )


# --------------------------------------------------------------------------- (c) sweep

# One row per n; by n % 1000: [0, 10) due, [10, 15) held (a minutes PDF not made yet),
# [15, 17) retrying later, [17, 27) failed, [27, 57) cancelled, the rest sent. The due rows are
# queued or retrying, due within the past hour; the rows n = 0, 1000, ... (LAPSED of them, all
# in the first 10,000) are sends whose lease ran out two hours ago, so both tables' sweeps take
# them first. Kinds: 60% minutes (body composed at send), the rest carry their text.
INSERT_MESSAGES = f"""
INSERT INTO outbox_message (
    kind, state, discussion_id, version_id, delivery_id, agency_id, about_id, recipients,
    subject, body, reply_to, attachments, attempts, next_attempt_at, claimed_at, expires_at,
    last_reply, sent_at, failed_at, cancelled_at, cancelled_reason, created_at)
SELECT
    CASE WHEN b.lapsed OR b.held OR n %% 20 < 12 THEN 'minutes'
         WHEN n %% 20 < 17 THEN 'reminder' WHEN n %% 20 < 19 THEN 'invitation'
         ELSE 'escalation' END,
    CASE WHEN b.lapsed THEN 'sending' WHEN b.due AND n %% 3 = 0 THEN 'retrying'
         WHEN b.due OR b.held THEN 'queued' WHEN b.later THEN 'retrying'
         WHEN b.failed THEN 'failed' WHEN b.cancelled THEN 'cancelled' ELSE 'sent' END,
    n / 50, n / 20, 1000000000 + n, n %% 1000, NULL,
    jsonb_build_array('minutes.' || (n %% 1000) || '@example.nhs.net'),
    CASE WHEN n %% 20 < 12 THEN '' ELSE 'SD-2026-' || n || ': minutes not yet confirmed' END,
    CASE WHEN n %% 20 < 12 THEN ''
         ELSE repeat('Please confirm you have received the minutes of the discussion. ', 12)
         END,
    '[]'::jsonb, '[]'::jsonb,
    CASE WHEN b.failed THEN 10 WHEN b.held THEN 0 WHEN b.due AND n %% 3 <> 0 THEN 0
         ELSE 1 + n %% 3 END,
    CASE WHEN b.lapsed THEN %(now)s - interval '2 hours' - make_interval(mins => n / 1000)
         WHEN b.due THEN %(now)s - make_interval(secs => 1 + (n::bigint * 7919) %% 3600)
         WHEN b.later THEN %(now)s + make_interval(secs => 60 + (n::bigint * 7919) %% 3600) END,
    CASE WHEN b.lapsed THEN %(now)s - interval '2 hours 5 minutes' - make_interval(mins => n / 1000)
         WHEN b.held OR (b.due AND n %% 3 <> 0) THEN NULL
         ELSE %(now)s - interval '1 day' END,
    CASE WHEN b.held THEN NULL ELSE %(now)s + interval '20 hours' END,
    CASE WHEN b.failed THEN '550 5.1.1 Mailbox does not exist'
         WHEN b.later OR (b.due AND n %% 3 = 0) THEN '451 4.3.0 Try again later' ELSE '' END,
    CASE WHEN b.sent THEN %(now)s - interval '1 day' END,
    CASE WHEN b.failed THEN %(now)s - interval '1 day' END,
    CASE WHEN b.cancelled THEN %(now)s - interval '1 day' END,
    CASE WHEN b.cancelled THEN 'Replaced by version 2' ELSE '' END,
    %(now)s - make_interval(secs => 2000000 - n %% 2000000)
FROM generate_series(%(first)s, %(last)s) AS n
CROSS JOIN LATERAL (
    SELECT n %% 1000 < {DUE_PER_MILLE} AS due,
           n %% 1000 = 0 AND n < {LAPSED} * 1000 AS lapsed,
           n %% 1000 BETWEEN 10 AND 14 AS held,
           n %% 1000 BETWEEN 15 AND 16 AS later,
           n %% 1000 BETWEEN 17 AND 26 AS failed,
           n %% 1000 BETWEEN 27 AND 56 AS cancelled,
           n %% 1000 >= 57 AS sent
) b
"""


def messages_load(first: int, last: int) -> float:
    """Loads outbox rows n = first .. last, then VACUUM (ANALYZE). Returns seconds."""
    from django.db import connection
    from django.utils import timezone

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(INSERT_MESSAGES, {"now": timezone.now(), "first": first, "last": last})
        cursor.execute("VACUUM (ANALYZE) outbox_message")
    return time.perf_counter() - start


def last_message_id() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM outbox_message")
        (last,) = cursor.fetchone()
    return int(last)


def message_counts() -> tuple[int, int, int]:
    """Rows, due rows, lapsed sends."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), "
            "count(*) FILTER (WHERE state IN ('queued', 'retrying', 'sending') "
            "AND next_attempt_at <= now()), "
            "count(*) FILTER (WHERE state = 'sending' AND next_attempt_at <= now()) "
            "FROM outbox_message"
        )
        total, due, lapsed = cursor.fetchone()
    return int(total), int(due), int(lapsed)


@dataclass
class Restorer:
    """Puts back what messages_due changed (the lapsed sends it recorded as lost and made due
    again, and the attempts it wrote), so every run does the same work; then vacuums, untimed."""

    rows: list[tuple[Any, ...]]
    last_attempt: int

    @classmethod
    def capture(cls) -> Restorer:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, state, attempts, next_attempt_at, claimed_at, last_reply, failed_at "
                "FROM outbox_message WHERE state = 'sending'"
            )
            rows = cursor.fetchall()
            cursor.execute("SELECT coalesce(max(id), 0) FROM outbox_attempt")
            (last_attempt,) = cursor.fetchone()
        return cls(rows, int(last_attempt))

    def restore(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for pk, state, attempts, next_at, claimed_at, reply, failed_at in self.rows:
                cursor.execute(
                    "UPDATE outbox_message SET state = %s, attempts = %s, next_attempt_at = %s, "
                    "claimed_at = %s, last_reply = %s, failed_at = %s WHERE id = %s",
                    [state, attempts, next_at, claimed_at, reply, failed_at, pk],
                )
            cursor.execute("DELETE FROM outbox_attempt WHERE id > %s", [self.last_attempt])
            cursor.execute("VACUUM (INDEX_CLEANUP ON) outbox_message")


@dataclass
class SweepTiming:
    rows: int
    due: int
    lapsed: int
    returned: int
    median_s: float  # messages_due(now): the SELECT, and each lapsed send recorded lost
    select_median_s: float  # the same SELECT alone (SELECT_REPEATS samples per run)


def due_select(now: datetime, limit: int) -> list[tuple[int, str]]:
    """The SELECT messages_due runs, alone (no lapsed sends recorded)."""
    from outbox.models import Message
    from outbox.sending import DUE_STATES

    due = Message.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now)
    return list(due.order_by("next_attempt_at").values_list("pk", "state")[:limit])


def time_messages_due(runs: int) -> SweepTiming:
    """Median times of messages_due(now) with the default limit, and of its SELECT alone,
    each run on the same rows. Nothing is enqueued or sent."""
    from django.conf import settings
    from django.utils import timezone

    from outbox.sending import messages_due

    total, due, lapsed = message_counts()
    restorer = Restorer.capture()
    messages_due(timezone.now())  # warm-up, untimed
    restorer.restore()
    samples, selects = [], []
    returned = 0
    for _ in range(runs):
        now = timezone.now()
        start = time.perf_counter()
        ids = messages_due(now)
        samples.append(time.perf_counter() - start)
        returned = len(ids)
        restorer.restore()
        for _ in range(SELECT_REPEATS):  # sub-millisecond: more samples against noise
            now = timezone.now()
            start = time.perf_counter()
            due_select(now, settings.OUTBOX_SWEEP_LIMIT)
            selects.append(time.perf_counter() - start)
    return SweepTiming(
        total, due, lapsed, returned, statistics.median(samples), statistics.median(selects)
    )


def explain_due() -> str:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from outbox.models import Message
    from outbox.sending import DUE_STATES

    due = Message.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=timezone.now())
    query = due.order_by("next_attempt_at").values_list("pk", "state")[
        : settings.OUTBOX_SWEEP_LIMIT
    ]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    shown = sql % tuple(f"'{p}'" if isinstance(p, str | datetime) else p for p in params)
    return f"{shown}\n{plan}"


def due_only_up_to(last_id: int) -> None:
    """Marks sent every due message after `last_id` (the small table's last row), so the big
    table has exactly the due rows of the small one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE outbox_message SET state = 'sent', next_attempt_at = NULL, sent_at = now() "
            "WHERE id > %s AND state IN ('queued', 'retrying') AND next_attempt_at <= now()",
            [last_id],
        )
        cursor.execute("VACUUM (ANALYZE) outbox_message")


# --------------------------------------------------------------------------- main


def configure_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # kombu and celery say nothing the benchmark needs.
    logging.getLogger("kombu").setLevel(logging.ERROR)
    logging.getLogger("celery").setLevel(logging.ERROR)
    from django.db import connection

    # Every statement is bounded too.
    connection.settings_dict.setdefault("OPTIONS", {})["options"] = "-c statement_timeout=300000"
    # The start-up heap frozen before BareRenderer forks from this process, as the worker
    # freezes its own before its pool forks (config/celery.py), so the bare render runs under
    # the same garbage collector as the worker's render.
    from django.urls import get_resolver

    import minutes.pdf  # noqa: F401

    get_resolver().url_patterns  # noqa: B018
    gc.freeze()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--db-name", default="bench_minutes", help="scratch database name")
    parser.add_argument("--reps", type=int, default=9, help="distribution repetitions (b)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per sweep figure (c)")
    parser.add_argument(
        "--budget", type=int, default=0, help="seconds before giving up (default 900, quick 420)"
    )
    args = parser.parse_args(argv)
    if not re.fullmatch(r"bench_[a-z0-9_]{1,40}", args.db_name):
        raise Refused("--db-name must look like bench_something (lower case)")
    if args.reps < 1 or args.runs < 1:
        raise Refused("--reps and --runs must be at least 1")
    big_rows = 100_000 if args.quick else 1_000_000
    small_rows = 10_000
    budget = args.budget or (420 if args.quick else 900)

    server = server_from_env()
    redis_require()
    token = scratch_create(server, args.db_name, mark=MARK)
    tmp = Path(tempfile.mkdtemp(prefix="minutes_bench_"))
    (tmp / "media").mkdir()
    (tmp / "var").mkdir()
    smtp = LoopbackSMTP()
    worker: Worker | None = None
    try:
        with deadline(budget, "the whole benchmark"):
            redis_flushdb()
            smtp.start()
            env = service_env(
                server.url(args.db_name), str(tmp / "media"), str(tmp / "var"), smtp.port
            )
            configure_django(env)
            require_scratch(args.db_name, token)
            worker = Worker(env, tmp / "worker.log")
            return run(args, smtp, worker, small_rows, big_rows)
    except Exception:
        if worker is not None:
            say(f"worker log (tail):\n{worker.tail()}")
        raise
    finally:
        if worker is not None:
            worker.stop()
        smtp.stop()
        redis_flushdb()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)
        if args.keep:
            say(f"Kept database {args.db_name} (drop it with: DROP DATABASE {args.db_name})")
        else:
            scratch_drop(server, args.db_name, token)


def run(
    args: argparse.Namespace, smtp: LoopbackSMTP, worker: Worker, small_rows: int, big_rows: int
) -> int:
    import celery
    import django
    import weasyprint
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    say(
        f"minutes benchmark ({'quick' if args.quick else 'full'}): Django {django.get_version()}, "
        f"Celery {celery.__version__}, WeasyPrint {weasyprint.__version__}, "
        f"PostgreSQL {pg_version}, scratch database {args.db_name}, broker {REDIS_URL}, "
        f"SMTP 127.0.0.1:{smtp.port}"
    )
    say(
        f"load average {load_average()} on {os.cpu_count()} CPUs at the start (timings assume idle)"
    )
    bare = BareRenderer()  # forked before the script builds anything
    runs: list[Distribution] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"migrated in {time.perf_counter() - started:.1f}s")
        cast = cast_create()
        ready = worker.start()
        say(f"worker (celery -A config worker --concurrency=2, no beat) ready in {ready:.1f}s")
        # (a) and (b): one untimed warm-up approval, then the repetitions.
        for number in range(args.reps + 1):
            result = distribution_run(cast, smtp, bare, number)
            say(describe("warm-up" if number == 0 else f"rep {number}", result))
            if number:
                runs.append(result)
    finally:
        bare.stop()
    worker.stop()
    say(f"  (b) load average {load_average()} after the repetitions")
    renders = {r.renders for r in runs}
    one_pdf = all(r.pdf_count == AGENCIES_INVITED and r.distinct_pdfs == 1 for r in runs)
    pipeline_ms = median_ms([r.seconds for r in runs])
    bare_ms = median_ms([r.bare_seconds for r in runs])
    ratio_b = pipeline_ms / bare_ms
    ratio_each = statistics.median([r.seconds / r.bare_seconds for r in runs])
    server_ms = median_ms([server_alone(smtp, runs[-1].emails) for _ in range(SERVER_ALONE_RUNS)])
    floor_b = (bare_ms + server_ms) / bare_ms

    # (c): the small table, then grown to the big one, then the same due rows as the small.
    # The session commits without waiting for the disk: each of the lapsed sends' commits
    # would otherwise add one fsync (milliseconds, and noisy), which has nothing to do with
    # the table's size.
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    load_s = messages_load(0, small_rows - 1)
    say(f"  (c) loaded {message_counts()} (rows, due, lapsed) in {load_s:.1f}s")
    small_last_id = last_message_id()
    small = time_messages_due(args.runs)
    load_s = messages_load(small_rows, big_rows - 1)
    say(f"  (c) loaded {message_counts()} (rows, due, lapsed) in {load_s:.1f}s")
    big = time_messages_due(args.runs)
    plan_big = explain_due()
    due_only_up_to(small_last_id)
    say(f"  (c) kept the small table's due rows only: {message_counts()} (rows, due, lapsed)")
    same = time_messages_due(args.runs)
    plan_same = explain_due()

    ratio_c = big.median_s / small.median_s
    ratio_select = big.select_median_s / small.select_median_s
    ratio_same = same.median_s / small.median_s
    ratio_same_select = same.select_median_s / small.select_median_s
    uses_index = all("outbox_due_idx" in p for p in (plan_big, plan_same))
    index_only = all("Index Only Scan using outbox_due_idx" in p for p in (plan_big, plan_same))

    def sweep_cell(timing: SweepTiming) -> str:
        return (
            f"{timing.median_s * 1000:.2f} ms, {timing.returned} ids "
            f"(SELECT alone {timing.select_median_s * 1000:.2f} ms)"
        )

    big_label, small_label = f"{big_rows:,}", f"{small_rows:,}"
    lines = [
        ("figure", "value", "target", "result"),
        (
            "(a) PDF renders per approved version, 20 agencies",
            f"{'/'.join(map(str, sorted(renders)))} in each of {len(runs)} approvals; "
            f"{'1 PDF in all 20 emails' if one_pdf else 'NOT one PDF'}",
            "= 1",
            verdict(renders == {1} and one_pdf),
        ),
        (
            f"(b) approval -> 20th delivery accepted, median of {len(runs)}",
            f"{pipeline_ms:.0f} ms",
            "",
            "",
        ),
        (
            "      approve (transaction + render hint)",
            f"{median_ms([r.approve_seconds for r in runs]):.0f} ms",
            "",
            "",
        ),
        (
            "      approval -> worker claims the render",
            f"{median_ms([r.to_render for r in runs]):.0f} ms",
            "",
            "",
        ),
        (
            "      render step in the worker (render, store, release)",
            f"{median_ms([r.render_step for r in runs]):.0f} ms",
            "",
            "",
        ),
        (
            "      PDF recorded -> first send claimed",
            f"{median_ms([r.to_first_send for r in runs]):.0f} ms",
            "",
            "",
        ),
        (
            "      sends claimed -> 20th accepted (by the rendering process)",
            f"{median_ms([r.sends for r in runs]):.0f} ms, "
            f"{statistics.median([r.accept_gap_ms for r in runs]):.1f} ms between acceptances",
            "",
            "",
        ),
        (
            f"    one bare WeasyPrint render of the same HTML (median of {BARE_RENDERS} per rep)",
            f"{bare_ms:.0f} ms",
            "",
            "",
        ),
        (
            "    ratio",
            f"{ratio_b:.2f}",
            f"<= {TARGET_B} (goal {GOAL_B})",
            verdict(ratio_b <= TARGET_B),
        ),
        ("    ratio, median of each repetition's own", f"{ratio_each:.2f}", "info", ""),
        (
            "    the loopback server alone: the 20 emails from 2 plain clients",
            f"{server_ms:.0f} ms (median of {SERVER_ALONE_RUNS})",
            "",
            "",
        ),
        ("    floor: (bare render + server alone) / bare render", f"{floor_b:.2f}", "info", ""),
        (
            f"(c) messages_due, {small_label} rows, 1% due ({small.due}, {small.lapsed} lapsed)",
            sweep_cell(small),
            "",
            "",
        ),
        (
            f"    messages_due, {big_label} rows, 1% due ({big.due}, {big.lapsed} lapsed)",
            sweep_cell(big),
            "",
            "",
        ),
        (
            f"    ratio {big_label} / {small_label}, limit {big.returned} vs {small.returned} ids",
            f"{ratio_c:.2f}",
            f"<= {TARGET_C}",
            verdict(ratio_c <= TARGET_C),
        ),
        ("    ratio, SELECT alone", f"{ratio_select:.2f}", "info", ""),
        (
            f"    messages_due, {big_label} rows, the same {same.due} due",
            sweep_cell(same),
            "",
            "",
        ),
        (
            f"    ratio {big_label} / {small_label}, same due rows (SELECT alone)",
            f"{ratio_same:.2f} ({ratio_same_select:.2f})",
            "info",
            "",
        ),
        (
            "    due query plan uses outbox_due_idx",
            ("yes, index-only scan" if index_only else "yes") if uses_index else "NO",
            "yes",
            verdict(uses_index),
        ),
    ]
    say("")
    say(f"EXPLAIN (ANALYZE, BUFFERS), {big_label} rows, 1% due ({big.due} due):")
    say(plan_big)
    say("")
    say(f"EXPLAIN (ANALYZE, BUFFERS), {big_label} rows, {same.due} due:")
    say(plan_same)
    say("")
    widths = [max(len(row[i]) for row in lines) for i in range(4)]
    for row in lines:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    say("")
    say(
        f"(b) medians over {len(runs)} fresh discussions after one untimed warm-up; a real "
        "Celery worker (prefork, concurrency 2) on Redis, DEBUG off; the parts are read from "
        "the rows' timestamps. (c) medians of "
        f"{args.runs} runs of messages_due(now) with OUTBOX_SWEEP_LIMIT: the SELECT and "
        f"the {LAPSED} lapsed sends recorded lost and made due again (synchronous_commit off), "
        "restored (untimed) after each run; SELECT alone: median of "
        f"{args.runs * SELECT_REPEATS}. Nothing is enqueued or sent."
    )
    say(f"total {time.perf_counter() - started:.0f}s")
    passed = (
        renders == {1} and one_pdf and ratio_b <= TARGET_B and ratio_c <= TARGET_C and uses_index
    )
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
