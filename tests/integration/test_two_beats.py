"""Two beat schedulers by mistake: every message still reaches its agency exactly once.

Production runs one beat (docs/operations.md, "Running in production"). If a second one is
started anyway, both publish every sweep, so every owed render, send and chase is hinted
twice. Each is claimed by a conditional UPDATE (a render by its version's PDF status, a send
by its outbox row, a chase by its delivery's next_chase_at), so only one hint does the work.
Here invitations and minutes are owed with every hint lost, then two beats and two workers,
each a process of its own as the production profile runs them, share PostgreSQL, Redis and a
media folder with a one-second sweep; each agency's first reminder falls due at once."""

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from itertools import chain

import pytest
from django.db import transaction

from minutes.models import Chase, Delivery, DeliveryStatus, MinutesVersion
from minutes.services.drafting import minutes_approve, minutes_draft
from outbox.models import Message, MessageKind, MessageState
from strategy.invitations import invitations_queue
from strategy.models import Invitee
from tests.integration.conftest import REDIS_URL, ROOT, Worker, database_url, wait_until
from tests.minutes.records import held_discussion

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

AGENCIES = 5
KINDS = [MessageKind.INVITATION, MessageKind.MINUTES, MessageKind.REMINDER]
CHILD_TASK_ID = re.compile(r"child_task_id\W+([0-9a-f-]{36})")
SWEEP_RESULT = re.compile(r"Task outbox\.tasks\.sweep\[([0-9a-f-]{36})\] succeeded in \S+: (\d+)")


@pytest.fixture
def start_process(mail_server, broker, tmp_path, settings) -> Iterator[Callable[..., Worker]]:  # noqa: ANN001
    """Starts `celery -A config worker` or `celery -A config beat`, as the systemd units in
    docs/deploy/ do, on the test's database, Redis and loopback mail server."""
    _, port = mail_server
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}/?timeout=10&insecure=true",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MINUTES_SWEEP_SECONDS": "1",
        # Each agency is owed its first reminder as soon as its minutes are sent, so the
        # beats race to chase too.
        "MINUTES_FIRST_REMINDER_HOURS": "0",
        # Long enough that no send lapses here: a second copy could only come from a claim
        # taken twice, which is what this test is about.
        "OUTBOX_LEASE_SECONDS": "120",
        "SITE_URL": "http://127.0.0.1:8000",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    started: list[Worker] = []

    def start(role: str) -> Worker:
        number = len(started)
        log = tmp_path / f"{role}-{number}.log"
        if role == "beat":
            options = ["-s", str(tmp_path / f"beat-schedule-{number}")]
        else:
            options = ["--concurrency=2", "--without-heartbeat", "--without-gossip"]
            options += ["--without-mingle", "-n", f"two-beats-{number}@%h"]
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", role, "--loglevel=INFO", *options],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(Worker(process, log))
        return started[-1]

    yield start
    for process in started:  # all at once: each worker's warm shutdown takes seconds
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.process.pid, signal.SIGTERM)
    for process in started:
        process.stop()


def sweeps_published(beat: Worker) -> int:
    return beat.log.read_text(errors="replace").count("Sending due task outbox-sweep")


def sweeps_that_found_messages_due(beat: Worker, workers: list[Worker]) -> int:
    """Outbox sweeps this beat published that a worker ran and found messages due in."""
    published = {
        found.group(1)
        for line in beat.log.read_text(errors="replace").splitlines()
        if "task_enqueued" in line and "outbox.tasks.sweep" in line
        if (found := CHILD_TASK_ID.search(line))
    }
    results = [SWEEP_RESULT.findall(worker.log.read_text(errors="replace")) for worker in workers]
    return sum(1 for task_id, due in chain(*results) if task_id in published and int(due) > 0)


def test_two_beats_send_each_message_once(start_process, mail_server, broker):
    server, _ = mail_server
    record = held_discussion(agencies=AGENCIES)
    with transaction.atomic():
        invitations_queue(discussion=record.discussion, invitees=list(Invitee.objects.all()))
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    minutes_approve(version_id=version.pk, approved_by=record.chair)
    broker.flushdb()  # every hint lost: what is owed is found by the sweeps alone
    beats = [start_process("beat"), start_process("beat")]
    # Both beats' first sweeps wait in the queue together, so both find the invitations due.
    wait_until(
        lambda: all(sweeps_published(beat) >= 1 for beat in beats),
        seconds=30,
        what="a sweep from each beat",
        logs=[beat.log for beat in beats],
    )
    workers = [start_process("worker"), start_process("worker")]
    logs = [p.log for p in beats + workers]

    def everything_sent() -> bool:
        sent = Message.objects.filter(state=MessageState.SENT)
        return all(sent.filter(kind=kind).count() == AGENCIES for kind in KINDS)

    wait_until(everything_sent, seconds=75, what="every message sent", logs=logs)
    # A few more sweeps from each beat after the last send: nothing goes again.
    after = [sweeps_published(beat) for beat in beats]
    wait_until(
        lambda: all(sweeps_published(b) >= n + 3 for b, n in zip(beats, after, strict=True)),
        seconds=15,
        what="three more sweeps from each beat",
        logs=logs,
    )

    assert all(p.process.poll() is None for p in beats + workers), "a process stopped"
    # Each beat's sweeps hinted owed messages: every invitation was hinted more than once.
    assert all(sweeps_that_found_messages_due(beat, workers) >= 1 for beat in beats)
    messages = list(Message.objects.order_by("pk"))
    assert sorted(m.kind for m in messages) == sorted(KINDS * AGENCIES)
    assert [server.copies_of(m.pk) for m in messages] == [1] * len(messages)
    for message in messages:
        assert message.state == MessageState.SENT, (message.kind, message.state)
        assert message.attempts == 1, (message.kind, message.attempts)
        assert list(message.attempt_rows.values_list("outcome", flat=True)) == ["sent"]
    assert MinutesVersion.objects.get(pk=version.pk).pdf_attempts == 1  # one render
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, chases_sent=1).count() == AGENCIES
    assert sorted(Chase.objects.values_list("number", flat=True)) == [1] * AGENCIES
