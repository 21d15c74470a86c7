"""Load test: 50 virtual users (chairs and partner agency users) against gunicorn, a Celery
worker with beat on Redis and a loopback SMTP server, all on a scratch PostgreSQL database;
optionally with faults injected during the load.

    .venv/bin/python bench/load/load_test.py [--minutes 5] [--faults] [--keep]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names only the server: the
script creates its own database on it (bench_load unless --db-name says otherwise), labels it
with a token unique to the run and drops it at the end. Redis database 13 (--redis-db) is its
own: only that database is ever flushed. Everything listens on and talks to 127.0.0.1.
See bench/README.md ("Load test") for what the figures mean.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for _path in (str(HERE), str(HERE.parent), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import processes  # noqa: E402
from processes import PYTHON, Proc  # noqa: E402
from scratch_db import (  # noqa: E402
    Refused,
    Server,
    require_scratch,
    scratch_create,
    scratch_drop,
    server_from_env,
)
from virtual_users import Chair, Link, LinkPool, Partner, Recorder, Sample  # noqa: E402

MARK = "load_test scratch database"


class BenchTimeout(Exception):
    pass


def say(text: str = "") -> None:
    print(text, flush=True)


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


def interrupted(signum: int, frame: Any) -> None:
    """SIGTERM cleans up as Ctrl+C does."""
    raise KeyboardInterrupt


def wait_until(condition: Callable[[], bool], seconds: float, step: float = 0.5) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(step)
    return condition()


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(round(share * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        say("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


# --------------------------------------------------------------------------- the run's state


@dataclass
class FaultReport:
    name: str
    start: float  # seconds since the load started
    window_end: float = 0.0
    recovered_s: float | None = None  # fault start -> service back
    confirmed_before: int | None = None
    confirmed_after: int | None = None
    notes: list[str] = field(default_factory=list)
    skipped: str = ""
    recovery_text: str = ""  # when recovery is not a single figure (SMTP: measured at drain)


@dataclass
class Run:
    args: argparse.Namespace
    server: Server
    tmp: Path
    secret_key: str
    smtp_port: int = 0
    web_port: int = 0
    token: str = ""
    procs: dict[str, Proc] = field(default_factory=dict)
    workers_started: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    recorder: Recorder = field(default_factory=lambda: Recorder(zero=time.monotonic()))
    links: LinkPool = field(default_factory=LinkPool)
    monitor: list[tuple[float, dict[str, int] | None, int]] = field(default_factory=list)
    faults: list[FaultReport] = field(default_factory=list)
    smtp_outage_until: float = 0.0  # time.time()
    shared_servers_touched: bool = False
    # A page that reads the database and needs no sign-in (a receipt link, GET only).
    probe_path: str = ""
    killed_in_flight: list[int] = field(default_factory=list)

    @property
    def control(self) -> Path:
        return self.tmp / "smtp-control.json"

    @property
    def smtp_log(self) -> Path:
        return self.tmp / "smtp-accepted.jsonl"

    @property
    def scratch_url(self) -> str:
        return self.server.url(self.args.db_name)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{processes.REDIS_PORT}/{self.args.redis_db}"

    def env(self) -> dict[str, str]:
        """The environment of every process of the service, and of this script's Django."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "CELERY_BROKER_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=self.scratch_url,
            REDIS_URL=self.redis_url,
            CELERY_BROKER_URL=self.redis_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}/?timeout=10&insecure=true",
            MEDIA_ROOT=str(self.tmp / "media"),
            VAR_DIR=str(self.tmp / "var"),
            STATIC_ROOT=str(self.tmp / "static"),
            DEBUG="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=f"http://127.0.0.1:{self.web_port}",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            MINUTES_SWEEP_SECONDS=str(self.args.sweep_seconds),
            MINUTES_SEND_LEASE_SECONDS=str(self.args.lease_seconds),
            MINUTES_RETRY_CAP_SECONDS=str(self.args.retry_cap_seconds),
            # The short retry cap packs a message's attempts into the SMTP outage: its life
            # (10 attempts by default, hours apart at the real cap) must outlast the outage.
            OUTBOX_MAX_ATTEMPTS=str(
                10 + int(self.args.smtp_outage_minutes * 60) // max(self.args.retry_cap_seconds, 1)
            ),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        return env

    def now(self) -> float:
        return self.recorder.now()


# --------------------------------------------------------------------------- set-up


def configure_django(run: Run) -> None:
    os.environ.update(run.env())
    os.environ["LOG_LEVEL"] = "WARNING"
    import logging

    import django

    django.setup()
    logging.getLogger("kombu").setLevel(logging.ERROR)
    logging.getLogger("celery").setLevel(logging.ERROR)
    from django.db import connection

    connection.settings_dict.setdefault("OPTIONS", {})["options"] = "-c statement_timeout=120000"


def start_smtp(run: Run) -> None:
    run.smtp_port = processes.free_port()
    run.control.write_text(json.dumps({"refuse_until": 0}))
    run.smtp_log.touch()
    proc = Proc.start(
        "smtp",
        [
            PYTHON,
            str(HERE / "smtp_server.py"),
            "--port",
            str(run.smtp_port),
            "--control",
            str(run.control),
            "--log",
            str(run.smtp_log),
        ],
        {**os.environ, "PYTHONUNBUFFERED": "1"},
        run.tmp / "smtp.log",
    )
    run.procs["smtp"] = proc
    processes.wait_for_port(run.smtp_port, 30, "the SMTP server", proc)


def start_worker(run: Run) -> Proc:
    number = run.workers_started
    run.workers_started += 1
    proc = Proc.start(
        f"worker-{number}",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"loadtest{number}@%h",
            "-s",
            str(run.tmp / f"beat-schedule-{number}"),
        ],
        run.env(),
        run.tmp / f"worker-{number}.log",
    )
    run.procs["worker"] = proc
    return proc


def start_web(run: Run) -> None:
    collect = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=processes.ROOT,
        env=run.env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if collect.returncode:
        raise RuntimeError(f"collectstatic failed:\n{collect.stderr[-3000:]}")
    run.web_port = run.web_port or processes.free_port()
    proc = Proc.start(
        "gunicorn",
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(run.args.web_workers),
            "--bind",
            f"127.0.0.1:{run.web_port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            str(run.tmp / "access.log"),
        ],
        run.env(),
        run.tmp / "gunicorn.log",
    )
    run.procs["gunicorn"] = proc
    processes.wait_for_port(run.web_port, 60, "gunicorn", proc)
    if not wait_until(lambda: http_status(run, "/sign-in/") == 200, 60):
        raise RuntimeError(f"gunicorn does not answer /sign-in/ with 200:\n{proc.tail()}")


def http_status(run: Run, path: str, timeout: float = 5) -> int:
    """One unrecorded request (probes): its status, 0 if none came."""
    import urllib3

    try:
        pool = urllib3.HTTPConnectionPool("127.0.0.1", run.web_port, retries=False, timeout=timeout)
        try:
            return int(pool.request("GET", path, redirect=False).status)
        finally:
            pool.close()
    except Exception:  # noqa: BLE001
        return 0


# --------------------------------------------------------------------------- the monitor


class Monitor(threading.Thread):
    """Once a second, on its own connection (which a PostgreSQL restart breaks and it makes
    again): delivery counts by status, confirmed count, and receipt links for deliveries
    newly sent (a partner has a link once its email has gone)."""

    def __init__(self, run: Run) -> None:
        super().__init__(name="monitor", daemon=True)
        self.run_ = run
        self.conn: Any = None
        self.halt = threading.Event()

    def sample(self) -> tuple[dict[str, int], int]:
        from seed import receipt_path

        run = self.run_
        if self.conn is None:
            self.conn = run.server.connect(run.args.db_name, timeout=3)
        with self.conn.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*), count(confirmed_at) FROM minutes_delivery GROUP BY status"
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT id, version_id, agency_id FROM minutes_delivery WHERE status = 'sent' "
                "AND revoked_at IS NULL AND confirmed_at IS NULL"
            )
            for delivery_id, version_id, agency_id in cursor.fetchall():
                if delivery_id not in run.links.known:
                    run.links.add(
                        Link(delivery_id, agency_id, receipt_path(delivery_id, version_id))
                    )
        return {status: count for status, count, _ in rows}, sum(c for _, _, c in rows)

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                counts, confirmed = self.sample()
                self.run_.monitor.append((self.run_.now(), counts, confirmed))
            except Exception:  # noqa: BLE001 - the database is down: note it, try again
                self.run_.monitor.append((self.run_.now(), None, -1))
                with suppress(Exception):
                    self.conn.close()
                self.conn = None
            self.halt.wait(1)
        with suppress(Exception):
            self.conn.close()

    def latest(self) -> tuple[dict[str, int], int] | None:
        for _, counts, confirmed in reversed(self.run_.monitor):
            if counts is not None:
                return counts, confirmed
        return None


def db_counts(run: Run) -> tuple[dict[str, int], int]:
    conn = run.server.connect(run.args.db_name)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*), count(confirmed_at) FROM minutes_delivery GROUP BY status"
            )
            rows = cursor.fetchall()
    finally:
        conn.close()
    return {status: count for status, count, _ in rows}, sum(c for _, _, c in rows)


# --------------------------------------------------------------------------- faults


def worker_round_trip(run: Run, seconds: float) -> float | None:
    """Seconds until the current worker runs a task published now: send_messages([0]), which
    claims nothing ("not due"). Published again every 10 s in case one was lost."""
    from outbox.tasks import send_messages

    started = time.monotonic()
    ids: list[str] = []
    published_at = 0.0
    while time.monotonic() - started < seconds:
        if time.monotonic() - published_at > 10:
            try:
                ids.append(str(send_messages.delay([0]).id))
                published_at = time.monotonic()
            except Exception:  # noqa: BLE001 - the broker is not back yet
                time.sleep(0.5)
                continue
        log = run.procs["worker"].tail(200_000)
        if any(f"[{task_id}] succeeded" in log for task_id in ids):
            return time.monotonic() - started
        time.sleep(0.25)
    return None


def quiet_enough(run: Run, seconds: float) -> str:
    """'' once no other engineer's run would be broken by a restart, else why not."""
    reasons: list[str] = []

    def quiet() -> bool:
        nonlocal reasons
        reasons = processes.others_busy(run.server.connect, run.args.db_name)
        return not reasons

    return "" if wait_until(quiet, seconds, step=5) else "; ".join(reasons[:3])


def confirmed_now(monitor: Monitor) -> int | None:
    latest = monitor.latest()
    return latest[1] if latest else None


def fault_postgres(run: Run, monitor: Monitor, report: FaultReport) -> None:
    busy = quiet_enough(run, 60)
    if busy:
        report.skipped = f"others busy: {busy}"
        return
    report.confirmed_before = confirmed_now(monitor)
    run.shared_servers_touched = True
    began = time.monotonic()
    report.start = run.now()
    processes.pg_restart()
    report.notes.append(f"pg_ctlcluster restart took {time.monotonic() - began:.1f}s")
    if wait_until(lambda: http_status(run, run.probe_path) == 200, 120, step=0.25):
        report.recovered_s = time.monotonic() - began
    back = worker_round_trip(run, 120)
    report.notes.append(
        "worker round trip after restart: "
        + (f"{back:.1f}s after recovery" if back is not None else "NONE within 120s")
    )


def fault_redis(run: Run, monitor: Monitor, report: FaultReport) -> None:
    busy = quiet_enough(run, 60)
    if busy:
        report.skipped = f"others busy: {busy}"
        return
    report.confirmed_before = confirmed_now(monitor)
    latest = monitor.latest()
    if latest:
        report.notes.append(f"deliveries before: {fmt_counts(latest[0])}")
    run.shared_servers_touched = True
    began = time.monotonic()
    report.start = run.now()
    processes.redis_restart_flushed(run.args.redis_db)
    report.notes.append(
        f"Redis flushed (db {run.args.redis_db}) and restarted in {time.monotonic() - began:.1f}s"
    )
    back = worker_round_trip(run, 180)
    if back is not None:
        report.recovered_s = time.monotonic() - began
    else:
        report.notes.append("the worker did not run a task within 180s of the restart")


def in_flight(run: Run) -> list[int]:
    """Deliveries queued or being sent now."""
    conn = run.server.connect(run.args.db_name, timeout=3)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT id FROM minutes_delivery WHERE status IN ('queued', 'sending')")
            return [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()


def fault_worker(run: Run, monitor: Monitor, report: FaultReport) -> None:
    """Killed while it has work: the next approval's deliveries (waits up to 30 s)."""
    report.confirmed_before = confirmed_now(monitor)
    flying: list[int] = []
    until = time.monotonic() + 30
    while not flying and time.monotonic() < until:
        flying = in_flight(run)
        if not flying:
            time.sleep(0.05)
    run.killed_in_flight = flying
    counts, _ = db_counts(run)
    report.notes.append(
        f"deliveries at the kill: {fmt_counts(counts)} ({len(flying)} queued or sending)"
    )
    began = time.monotonic()
    report.start = run.now()
    run.procs["worker"].kill()
    start_worker(run)
    back = worker_round_trip(run, 180)
    if back is not None:
        report.recovered_s = time.monotonic() - began
    else:
        report.notes.append("the new worker did not run a task within 180s")


def fault_smtp(run: Run, monitor: Monitor, report: FaultReport) -> None:
    report.confirmed_before = confirmed_now(monitor)
    seconds = run.args.smtp_outage_minutes * 60
    report.start = run.now()
    run.smtp_outage_until = time.time() + seconds
    run.control.write_text(json.dumps({"refuse_until": run.smtp_outage_until}))
    report.window_end = report.start + seconds
    report.recovery_text = "at drain"
    report.notes.append(f"SMTP refuses every recipient (421/451) for {seconds:.0f}s")


FAULTS: list[tuple[str, Callable[[Run, Monitor, FaultReport], None]]] = [
    ("PostgreSQL restart", fault_postgres),
    ("Redis restart, db flushed", fault_redis),
    ("Celery worker SIGKILL", fault_worker),
    ("SMTP refusing (421/451)", fault_smtp),
]


def fmt_counts(counts: dict[str, int]) -> str:
    order = ["queued", "sending", "sent", "failed"]
    return ", ".join(f"{k} {counts.get(k, 0)}" for k in order if counts.get(k, 0)) or "none"


# --------------------------------------------------------------------------- the load


def start_users(run: Run, world: Any) -> list[Any]:
    args = run.args
    duration = args.minutes * 60
    approvals = sum(len(plan.to_approve) for plan in world.chairs)
    users: list[Any] = []
    total = args.users
    common = {
        "think": (args.think_min, args.think_max),
        "session_iterations": args.session_iterations,
        "timeout": args.request_timeout,
    }
    for i, plan in enumerate(world.chairs):
        # Approvals spread over 10%..90% of the run, interleaved across chairs.
        at = [
            duration * (0.1 + 0.8 * (j * len(world.chairs) + i + 0.5) / max(approvals, 1))
            for j in range(len(plan.to_approve))
        ]
        users.append(
            Chair(
                i + 1,
                plan.person,
                world.password,
                run.web_port,
                run.recorder,
                run.stop,
                plan=plan,
                approve_at=at,
                start_delay=args.ramp_seconds * i / total,
                **common,
            )
        )
    for i, person in enumerate(world.partners):
        number = len(world.chairs) + i + 1
        users.append(
            Partner(
                number,
                person,
                world.password,
                run.web_port,
                run.recorder,
                run.stop,
                links=run.links,
                confirm_share=args.confirm_share,
                start_delay=args.ramp_seconds * (number - 1) / total,
                **common,
            )
        )
    for user in users:
        user.start()
    return users


def run_load(run: Run, world: Any, monitor: Monitor) -> float:
    """The load for --minutes, with the faults at 20/40/60/80% when asked. Returns the
    load's length in seconds."""
    args = run.args
    duration = args.minutes * 60
    run.recorder.zero = time.monotonic()
    users = start_users(run, world)
    say(f"load: {len(users)} virtual users for {duration:.0f}s")
    if args.faults:
        for number, (name, inject) in enumerate(FAULTS, start=1):
            at = duration * number / (len(FAULTS) + 1)
            while run.now() < at:
                time.sleep(min(0.5, at - run.now()))
            report = FaultReport(name, run.now())
            say(f"  t={run.now():5.0f}s fault {number}: {name}")
            try:
                inject(run, monitor, report)
            except Exception as error:  # noqa: BLE001 - reported, the run goes on
                report.notes.append(f"injection failed: {error!r}")
            if report.recovered_s is not None and not report.window_end:
                report.window_end = report.start + report.recovered_s + 5
            elif not report.window_end:
                report.window_end = run.now() + 5
            run.faults.append(report)
            say(
                f"  t={run.now():5.0f}s        "
                + (
                    f"skipped: {report.skipped}"
                    if report.skipped
                    else f"recovered: {report.recovery_text or fmt_s(report.recovered_s)}; "
                    + "; ".join(report.notes)
                )
            )
    while run.now() < duration:
        time.sleep(min(1.0, duration - run.now()))
        elapsed = int(run.now())
        if elapsed % 30 == 0:
            open_links, done_links = run.links.counts()
            say(
                f"  t={elapsed:5d}s requests {len(run.recorder.samples)}, "
                f"not ok {sum(1 for s in run.recorder.samples if s.outcome != 'ok')}, "
                f"receipts confirmed {len(run.recorder.confirmed)} (links open {open_links})"
            )
            time.sleep(0.05)
    length = run.now()
    run.stop.set()
    for user in users:
        user.join(timeout=max(1.0, args.request_timeout + 10 - (run.now() - length)))
    return length


def faults_settle(run: Run, drained: tuple[bool, float]) -> None:
    """Confirmed counts after each fault (the first good sample after its window, or the
    count at the end), and the SMTP outage's recovery: outage end -> every delivery sent."""
    final = db_counts(run)[1]
    for report in run.faults:
        after = [c for t, counts, c in run.monitor if counts is not None and t >= report.window_end]
        report.confirmed_after = after[0] if after else final
        if report.recovery_text == "at drain":
            report.recovery_text = (
                f"end+{drained[1]:.0f}s" if drained[0] else f"NOT within {drained[1]:.0f}s"
            )


def dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def fmt_s(seconds: float | None) -> str:
    return "NOT RECOVERED" if seconds is None else f"{seconds:.1f}s"


def drain(run: Run) -> tuple[bool, float]:
    """Waits for the SMTP outage to end, then for every delivery to be settled."""
    if run.smtp_outage_until:
        left = run.smtp_outage_until - time.time()
        if left > 0:
            say(f"drain: waiting {left:.0f}s for the SMTP outage to end")
            time.sleep(left)
    began = time.monotonic()

    def settled() -> bool:
        try:
            counts, _ = db_counts(run)
        except Exception:  # noqa: BLE001
            return False
        return counts.get("queued", 0) + counts.get("sending", 0) == 0

    ok = wait_until(settled, run.args.drain_seconds, step=1)
    return ok, time.monotonic() - began


# --------------------------------------------------------------------------- the report


def summarise(run: Run, length: float, drained: tuple[bool, float], world: Any) -> int:
    samples = run.recorder.samples
    say("")
    say(f"=== load test summary ({'with faults' if run.args.faults else 'no faults'}) ===")
    responded = sorted(s.seconds for s in samples if s.status)
    not_ok = [s for s in samples if s.outcome != "ok"]
    fives = [s for s in samples if s.outcome == "5xx"]
    failed = [s for s in samples if s.outcome == "failed"]
    rows: list[tuple[str, ...]] = [("figure", "value")]
    rows += [
        (
            "virtual users",
            f"{run.args.users} ({len(world.chairs)} chairs, {len(world.partners)} partners)",
        ),
        ("load length", f"{length:.0f}s"),
        ("requests", f"{len(samples)}"),
        ("requests per second", f"{len(samples) / max(length, 1):.1f}"),
        (
            "latency p50 / p95 / p99 / max",
            " / ".join(f"{percentile(responded, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99))
            + f" / {(responded[-1] if responded else 0) * 1000:.0f} ms",
        ),
        (
            "5xx responses",
            f"{len(fives)} ({sum(1 for s in fives if s.friendly)} the friendly 500 page)",
        ),
        ("failed requests (no response)", f"{len(failed)}"),
        ("other unexpected answers", f"{len(not_ok) - len(fives) - len(failed)}"),
    ]
    table(rows)

    say("")
    say("per page (ms):")
    labels: dict[str, list[Sample]] = {}
    for s in samples:
        labels.setdefault(s.label, []).append(s)
    page_rows: list[tuple[str, ...]] = [("page", "count", "p50", "p95", "p99", "max", "not ok")]
    for label in sorted(labels):
        times = sorted(s.seconds for s in labels[label] if s.status)
        page_rows.append(
            (
                label,
                str(len(labels[label])),
                *(f"{percentile(times, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99)),
                f"{(times[-1] if times else 0) * 1000:.0f}",
                str(sum(1 for s in labels[label] if s.outcome != "ok")),
            )
        )
    table(page_rows)

    if not_ok:
        say("")
        say("not ok, by status and reason:")
        reasons = Counter(
            f"{s.status or 'no response'} {s.outcome}"
            + (" (friendly 500 page)" if s.friendly else "")
            + (f": {s.detail}" if s.detail else "")
            + f" [{s.label}]"
            for s in not_ok
        )
        for reason, count in reasons.most_common(15):
            say(f"  {count:5d}  {reason}")

    # Faults
    if run.faults:
        say("")
        say("faults (window = fault start .. recovery + 5s; SMTP: the outage):")
        fault_rows: list[tuple[str, ...]] = [
            (
                "fault",
                "at",
                "recovered",
                "not ok in window",
                "5xx (friendly)",
                "confirmed before->after",
            )
        ]
        for report in run.faults:
            inside = [
                s
                for s in not_ok
                if s.start <= report.window_end and s.start + s.seconds >= report.start
            ]
            in_fives = [s for s in inside if s.outcome == "5xx"]
            fault_rows.append(
                (
                    report.name,
                    f"{report.start:.0f}s",
                    "skipped"
                    if report.skipped
                    else report.recovery_text or fmt_s(report.recovered_s),
                    f"{len(inside)} ({sum(1 for s in inside if s.outcome == 'failed')} failed)",
                    f"{len(in_fives)} ({sum(1 for s in in_fives if s.friendly)})",
                    f"{dash(report.confirmed_before)} -> {dash(report.confirmed_after)}",
                )
            )
        table(fault_rows)
        for report in run.faults:
            for note in report.notes + ([report.skipped] if report.skipped else []):
                say(f"  {report.name}: {note}")

    # Deliveries and receipts
    counts, confirmed_total = db_counts(run)
    conn = run.server.connect(run.args.db_name)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM minutes_minutesversion WHERE approved_at IS NOT NULL"
            )
            (versions,) = cursor.fetchone()
            ids = list(run.recorder.confirmed)
            cursor.execute(
                "SELECT id, confirmed_by_name FROM minutes_delivery "
                "WHERE id = ANY(%s) AND confirmed_at IS NOT NULL",
                [ids],
            )
            in_db = dict(cursor.fetchall())
            cursor.execute(
                "SELECT count(*) FILTER (WHERE attempts > 1), coalesce(max(attempts), 0) "
                "FROM minutes_delivery"
            )
            retried, most_attempts = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM minutes_delivery WHERE id = ANY(%s) AND status = 'sent'",
                [run.killed_in_flight],
            )
            (killed_sent,) = cursor.fetchone()
    finally:
        conn.close()
    lost = [i for i, name in run.recorder.confirmed.items() if in_db.get(i) != name]
    good = [(t, c) for t, counts_, c in run.monitor if counts_ is not None]
    decreases = sum(1 for (_, a), (_, b) in zip(good, good[1:], strict=False) if b < a)
    accepted = [json.loads(line) for line in run.smtp_log.read_text().splitlines() if line]
    per_copy = Counter((tuple(m["to"]), m["subject"]) for m in accepted)
    duplicates = sum(n - 1 for n in per_copy.values() if n > 1)
    expected = versions * 10
    all_sent = counts.get("sent", 0) == expected and sum(counts.values()) == expected
    approvals_done = len(run.recorder.approvals)
    say("")
    say("deliveries and receipts:")
    table(
        [
            ("check", "value", "result"),
            (
                "minutes versions approved",
                f"{versions} ({world.approved_versions} at set-up, "
                f"{approvals_done} by chairs during the load)",
                "",
            ),
            ("delivery statuses after drain", fmt_counts(counts), ""),
            (
                "every delivery sent",
                f"{counts.get('sent', 0)} of {expected} (drained in {drained[1]:.0f}s)",
                verdict(all_sent),
            ),
            ("deliveries that needed a retry", f"{retried} (most attempts {most_attempts})", ""),
            (
                "in flight at the worker kill, now sent",
                f"{killed_sent} of {len(run.killed_in_flight)}",
                verdict(killed_sent == len(run.killed_in_flight)) if run.killed_in_flight else "",
            ),
            (
                "messages accepted by SMTP",
                f"{len(accepted)}, of which extra copies {duplicates}",
                "",
            ),
            ("receipts confirmed (200 'Receipt confirmed')", f"{len(run.recorder.confirmed)}", ""),
            (
                "  of those confirmed in the database",
                f"{len(run.recorder.confirmed) - len(lost)}",
                verdict(not lost),
            ),
            ("  'Already confirmed' after a retry", f"{run.recorder.already}", ""),
            ("confirmed count in the database", f"{confirmed_total}", ""),
            (
                "confirmed count ever went down",
                f"{decreases} times in {len(good)} samples",
                verdict(decreases == 0),
            ),
            (
                "sign-in codes refused",
                f"{run.recorder.code_refusals}",
                verdict(run.recorder.code_refusals == 0),
            ),
        ]
    )
    if lost:
        say(f"  LOST confirmations (delivery ids): {lost[:20]}")
    log_problems(run)
    clean_http = not fives and not failed
    integrity = all_sent and not lost and decreases == 0
    say("")
    say(
        f"targets: no 5xx and no failed requests: {verdict(clean_http)}; "
        f"every delivery sent and no receipt lost: {verdict(integrity)}"
    )
    if run.args.faults:
        return 0 if integrity else 1
    return 0 if clean_http and integrity else 1


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*")
ERROR_START = re.compile(r"^(Internal Server Error: |\[[^\]]*(ERROR|CRITICAL)\S*\] )")


def log_problems(run: Run) -> None:
    """The errors the web and the workers logged, each as the request or log line that
    reported it and the last exception of its (chained) traceback, most frequent first."""
    for name, pattern in (("gunicorn.log", "gunicorn.log"), ("worker", "worker-*.log")):
        found: Counter[str] = Counter()
        for path in sorted(run.tmp.glob(pattern)):
            head, last = "", ""
            for line in path.read_text(errors="replace").splitlines() + ["Internal Server Error: "]:
                if ERROR_START.match(line):
                    if head:
                        found[f"{head[:70]} -> {last[:110]}"] += 1
                    head = re.sub(r"^\[[^\]]*\] ", "", line)
                    head = re.sub(r"/\d+/", "/N/", head)
                    head = re.sub(r"/receipt/[^/]+/", "/receipt/TOKEN/", head)
                    last = ""
                elif EXCEPTION_LINE.match(line):
                    last = line.replace(
                        'connection to server at "127.0.0.1", port 5432 failed: ', ""
                    )
        if found:
            say(f"{name}: exceptions and errors logged:")
            for text, count in found.most_common(8):
                say(f"  {count:5d}  {text}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5, help="length of the load (5)")
    parser.add_argument("--users", type=int, default=50, help="virtual users (50)")
    parser.add_argument("--chairs", type=int, default=20, help="of which chairs (20)")
    parser.add_argument("--faults", action="store_true", help="inject faults during the load")
    parser.add_argument(
        "--smtp-outage-minutes",
        type=float,
        default=2,
        help="how long SMTP refuses with --faults (2; the brief's 10 suits a 30-minute run)",
    )
    parser.add_argument(
        "--wait-minutes",
        type=float,
        default=20,
        help="with --faults, how long to wait for others' runs to finish (20)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument("--db-name", default="bench_load", help="scratch database (bench_load)")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number (13)")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--approved", type=int, default=50, help="discussions with minutes approved at set-up (50)"
    )
    parser.add_argument(
        "--approvals", type=int, default=40, help="minutes the chairs approve during the load (40)"
    )
    parser.add_argument("--think-min", type=float, default=0.5, help="think time, from (0.5 s)")
    parser.add_argument("--think-max", type=float, default=2.0, help="think time, to (2 s)")
    parser.add_argument("--ramp-seconds", type=float, default=20, help="users start over (20)")
    parser.add_argument(
        "--session-iterations",
        type=int,
        default=15,
        help="iterations before a user signs out and in again (15)",
    )
    parser.add_argument(
        "--confirm-share",
        type=float,
        default=0.5,
        help="share of partner iterations that confirm a receipt (0.5)",
    )
    parser.add_argument("--request-timeout", type=float, default=30, help="seconds (30)")
    parser.add_argument("--sweep-seconds", type=int, default=2)
    parser.add_argument("--lease-seconds", type=int, default=20)
    parser.add_argument("--retry-cap-seconds", type=int, default=10)
    parser.add_argument(
        "--drain-seconds",
        type=int,
        default=240,
        help="after the load, how long to wait for every delivery (240)",
    )
    args = parser.parse_args(argv)
    if not re.fullmatch(r"bench_[a-z0-9_]{1,40}", args.db_name):
        raise Refused("--db-name must look like bench_something (lower case)")
    if not 0 < args.chairs < args.users:
        raise Refused("--chairs must be between 1 and --users - 1")
    if not 0 <= args.redis_db <= 15 or args.redis_db == 0:
        raise Refused("--redis-db must be 1..15 (0 is everyone's default)")
    if args.minutes <= 0:
        raise Refused("--minutes must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server = server_from_env()
    if not processes.redis_ping(args.redis_db):
        raise Refused("Redis does not answer on 127.0.0.1:6379")
    tmp = Path(tempfile.mkdtemp(prefix="load_test_"))
    run = Run(args=args, server=server, tmp=tmp, secret_key=secrets.token_urlsafe(50))
    if args.faults:
        say(
            f"faults: waiting (up to {args.wait_minutes:.0f} min) until no other test or bench "
            "run is using PostgreSQL or Redis"
        )
        busy = quiet_enough(run, args.wait_minutes * 60)
        if busy:
            shutil.rmtree(tmp, ignore_errors=True)
            raise Refused(f"other runs still active after {args.wait_minutes:.0f} min: {busy}")
    budget = int(
        900
        + args.minutes * 60
        + args.drain_seconds
        + (args.smtp_outage_minutes * 60 + 4 * 300 if args.faults else 0)
    )
    signal.signal(signal.SIGTERM, interrupted)
    monitor: Monitor | None = None
    try:
        with deadline(budget, "the whole load test"):
            run.token = scratch_create(server, args.db_name, mark=MARK)
            processes.redis_flushdb(args.redis_db)
            start_smtp(run)
            run.web_port = processes.free_port()
            configure_django(run)
            require_scratch(args.db_name, run.token)
            import django
            from django.core.management import call_command

            say(
                f"load test: Django {django.get_version()}, scratch database {args.db_name}, "
                f"Redis db {args.redis_db}, SMTP 127.0.0.1:{run.smtp_port}, "
                f"web 127.0.0.1:{run.web_port}, logs in {tmp}"
            )
            began = time.monotonic()
            call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
            say(f"set-up: migrated in {time.monotonic() - began:.0f}s")
            began = time.monotonic()
            from seed import build_world, receipt_path

            world = build_world(
                chairs=args.chairs,
                partners=args.users - args.chairs,
                approved=args.approved,
                editable_per_chair=2,
                to_approve=args.approvals,
            )
            say(
                f"set-up: {args.users} users with authenticator apps, "
                f"{args.approved} discussions approved, {args.chairs * 2} to edit, "
                f"{args.approvals} to approve during the load, in {time.monotonic() - began:.0f}s"
            )
            start_worker(run)
            began = time.monotonic()
            start_web(run)
            say(
                f"set-up: collectstatic and gunicorn ({args.web_workers} workers) in "
                f"{time.monotonic() - began:.0f}s"
            )
            expected = args.approved * 10

            def initial_sent() -> bool:
                return db_counts(run)[0].get("sent", 0) >= expected

            began = time.monotonic()
            if not wait_until(initial_sent, 600, step=1):
                raise RuntimeError(
                    f"the {expected} deliveries of set-up were not all sent within 600s: "
                    f"{fmt_counts(db_counts(run)[0])}\n{run.procs['worker'].tail()}"
                )
            say(f"set-up: the worker sent {expected} deliveries in {time.monotonic() - began:.0f}s")
            from minutes.models import Delivery

            first = Delivery.objects.order_by("pk").first()
            assert first is not None
            run.probe_path = receipt_path(first.pk, first.version_id)
            monitor = Monitor(run)
            monitor.sample()  # the links to start with
            monitor.start()
            length = run_load(run, world, monitor)
            say(f"load: done after {length:.0f}s; draining")
            drained = drain(run)
            monitor.halt.set()
            faults_settle(run, drained)
            return summarise(run, length, drained, world)
    finally:
        run.stop.set()
        if monitor is not None:
            monitor.halt.set()
        cleanup(run)


def cleanup(run: Run) -> None:
    for name in ("gunicorn", "worker", "smtp"):
        proc = run.procs.get(name)
        if proc is not None:
            proc.stop()
    if run.shared_servers_touched:
        with suppress(Exception):
            processes.pg_ensure_up()
        with suppress(Exception):
            processes.redis_ensure_up()
    with suppress(Exception):
        processes.redis_flushdb(run.args.redis_db)
    with suppress(Exception):
        from django.db import connections

        connections.close_all()
    if run.token:
        if run.args.keep:
            say(f"kept database {run.args.db_name} and logs in {run.tmp}")
        else:
            try:
                scratch_drop(run.server, run.args.db_name, run.token)
            except Exception as error:  # noqa: BLE001
                say(f"could not drop {run.args.db_name}: {error}")
    if not run.args.keep:
        shutil.rmtree(run.tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Refused as refusal:
        print(f"load_test: {refusal}", file=sys.stderr)
        sys.exit(2)
    except BenchTimeout as timeout:
        print(f"load_test: timed out: {timeout}", file=sys.stderr)
        sys.exit(3)
    except KeyboardInterrupt:
        print("load_test: interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)
