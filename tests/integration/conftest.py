"""A real Celery worker (with beat) on Redis, PostgreSQL shared with the test, and a real
SMTP server on loopback. These are the conditions the product runs in."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.conftest import missing_service
from tests.mail_server import FakeMailServer, loopback_mail_server

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("INTEGRATION_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def services(transactional_db) -> None:  # noqa: ANN001
    if connection.vendor != "postgresql":
        missing_service("the worker integration tests need DATABASE_URL on PostgreSQL")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        missing_service(f"the worker integration tests need Redis at {REDIS_URL}")


@pytest.fixture
def mail_server(services) -> Iterator[tuple[FakeMailServer, int]]:  # noqa: ANN001
    with loopback_mail_server() as (server, port):
        yield server, port


def database_url() -> str:
    """The test database, which the worker must share with the test."""
    s = connection.settings_dict
    user, host, port = s["USER"] or "postgres", s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def broker(services) -> Iterator[redis.Redis]:  # noqa: ANN001
    """This test's own Redis database, published to by the test and read by the worker."""
    from config.celery import app

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _reset_connections(app)
    yield client
    app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
    _reset_connections(app)
    client.flushdb()


def _reset_connections(app) -> None:  # noqa: ANN001
    """Drop pooled broker connections so the next publish uses the broker URL just set."""
    app._pool = None
    app.amqp._producer_pool = None


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(mail_server, broker, tmp_path, settings) -> Iterator[Callable[[], Worker]]:  # noqa: ANN001
    _, port = mail_server
    settings.MEDIA_ROOT = tmp_path / "media"
    workers: list[Worker] = []
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}/?timeout=10&insecure=true",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MINUTES_SWEEP_SECONDS": "1",
        "MINUTES_RETRY_CAP_SECONDS": "1",
        "MINUTES_SEND_LEASE_SECONDS": "4",
        "OUTBOX_LEASE_SECONDS": "4",
        "OUTBOX_RETRY_CAP_SECONDS": "1",
        "MINUTES_RENDER_RETRY_SECONDS": "1",
        "SITE_URL": "http://127.0.0.1:8000",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }

    def start(
        concurrency: int = 2, app: str = "config", extra_env: dict[str, str] | None = None
    ) -> Worker:
        log = tmp_path / f"worker-{len(workers)}.log"
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                app,
                "worker",
                "-B",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-s",
                str(tmp_path / f"beat-{len(workers)}"),
            ],
            cwd=ROOT,
            env={**env, **(extra_env or {})},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = Worker(process, log)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_until(
    condition: Callable[[], bool], *, seconds: float, what: str, logs: list[Path] | None = None
) -> None:
    """Polls the database (the source of truth) until a condition holds, within a limit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = "".join(p.read_text()[-3000:] for p in logs or [] if p.exists())
    pytest.fail(f"Timed out after {seconds}s waiting for {what}\n{tail}")
