"""The embedded default really runs: a Celery worker and beat on the filesystem broker and
SQLite, with no server installed. This is what `make run` starts."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    return {**env, "VAR_DIR": str(var_dir), "MINUTES_SWEEP_SECONDS": "1"}


def worker_with_beat(
    env: dict[str, str], log: Path, *, concurrency: int, schedule: Path | None = None
) -> subprocess.Popen[bytes]:
    """A Celery worker with beat, as `make run` starts them (the schedule under VAR_DIR unless
    one is given)."""
    extra = ["-s", str(schedule)] if schedule else []
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-B"]
        + [f"--concurrency={concurrency}", "--loglevel=INFO", *extra],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def test_worker_and_beat_run_tasks_on_the_embedded_default(tmp_path):
    env = embedded_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    log = tmp_path / "worker.log"
    worker = worker_with_beat(env, log, concurrency=1, schedule=tmp_path / "beat-schedule")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            # Received, then run: wait for the outcome, not the first mention.
            if "Task minutes.tasks.sweep" in (text := log.read_text()) and "succeeded" in text:
                break
            time.sleep(0.5)
        text = log.read_text()
        assert worker.poll() is None, text[-3000:]
        assert "Task minutes.tasks.sweep" in text, text[-3000:]
        assert "succeeded" in text, text[-3000:]
        # Everything the broker keeps lives under VAR_DIR, none of it in the project.
        assert (tmp_path / "broker" / "control").is_dir()
        assert not (ROOT / "control").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def manage_shell(env: dict[str, str], code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_two_approvals_at_once_reach_twenty_agencies_on_the_embedded_default(tmp_path):
    """SQLite and the filesystem broker under real work: a worker of two processes with beat,
    two chairs approving at the same moment, twenty PDFs rendered and sent."""
    env = embedded_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    made = manage_shell(env, "from tests.config.embedded_minutes import setup; setup()")
    output = made.communicate(timeout=120)[0].decode()
    assert made.returncode == 0, output
    first, second = output.split()[-2:]
    log = tmp_path / "worker.log"
    worker = worker_with_beat(env, log, concurrency=2)
    mail = tmp_path / "mail"
    try:
        deadline = time.monotonic() + 60
        while "ready" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        approvals = [
            manage_shell(env, f"from tests.config.embedded_minutes import approve; approve({pk})")
            for pk in (first, second)
        ]
        for approval in approvals:
            text = approval.communicate(timeout=60)[0].decode()
            assert approval.returncode == 0, text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(mail.glob("*.eml"))) < 20:
            time.sleep(0.5)
        text = log.read_text()
        assert worker.poll() is None, text[-3000:]
        assert len(list(mail.glob("*.eml"))) == 20, text[-3000:]
        assert text.count("database is locked") == 0, text[-3000:]
        # The beat schedule is kept under VAR_DIR, not in the project.
        assert (tmp_path / "celerybeat-schedule").exists() or list(
            tmp_path.glob("celerybeat-schedule*")
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
