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


def test_worker_and_beat_run_tasks_on_the_embedded_default(tmp_path):
    env = embedded_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "--concurrency=1",
            "--loglevel=INFO",
            "-s",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if "Task minutes.tasks.sweep" in log.read_text():
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
