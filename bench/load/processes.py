"""Subprocesses of the load test (SMTP server, gunicorn, Celery worker with beat), each in a
process group of its own so that it and its children stop together, and the faults: restart
PostgreSQL, restart Redis with its data flushed, kill the worker. Loopback only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
REDIS_PORT = 6379
# Exactly how the shared Redis is started on this machine (and by .ci/run).
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    str(REDIS_PORT),
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
# Processes of other engineers' runs that a restart of the shared servers would break.
OTHER_RUNS = ("pytest", "dashboard_bench", "minutes_bench")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, seconds: float, what: str, proc: Proc | None = None) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if port_open(port):
            return
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(f"{what} exited early; see {proc.log}:\n{proc.tail()}")
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {seconds:.0f}s")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, name: str, command: list[str], env: dict[str, str], log: Path) -> Proc:
        popen = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one
        )
        return cls(name, popen, log)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group, as the OOM killer or a lost machine would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def stop(self, grace: float = 15) -> None:
        if self.alive():
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        # Children left behind in the group (a worker's pool) go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


# --------------------------------------------------------------------------- Redis


def redis_client(db: int) -> object:
    import redis

    return redis.Redis(
        host="127.0.0.1", port=REDIS_PORT, db=db, socket_timeout=3, socket_connect_timeout=2
    )


def redis_ping(db: int) -> bool:
    import redis

    try:
        return bool(redis_client(db).ping())  # type: ignore[attr-defined]
    except redis.RedisError:
        return False


def redis_flushdb(db: int) -> None:
    """FLUSHDB of this run's own database number, never FLUSHALL."""
    redis_client(db).flushdb()  # type: ignore[attr-defined]


def redis_restart_flushed(db: int, seconds: float = 30) -> None:
    """The dedicated db flushed, the server shut down without saving and started again."""
    redis_flushdb(db)
    subprocess.run(  # noqa: S603
        ["redis-cli", "-p", str(REDIS_PORT), "SHUTDOWN", "NOSAVE"],
        capture_output=True,
        timeout=15,
        check=False,
    )
    until = time.monotonic() + 10
    while port_open(REDIS_PORT) and time.monotonic() < until:
        time.sleep(0.05)
    redis_start(seconds)


def redis_start(seconds: float = 30) -> None:
    subprocess.run(REDIS_START, capture_output=True, timeout=15, check=True)  # noqa: S603
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if redis_ping(0):
            return
        time.sleep(0.05)
    raise RuntimeError("Redis did not answer PING after being started")


def redis_ensure_up() -> None:
    """Cleanup after a failed fault: a Redis this script shut down is started again."""
    if not redis_ping(0) and not port_open(REDIS_PORT):
        redis_start()


# --------------------------------------------------------------------------- PostgreSQL


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v) if v else 0.0)
    if not versions:
        raise RuntimeError("No cluster under /etc/postgresql")
    return versions[-1]


def pg_ctl(action: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", action],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def pg_restart() -> None:
    done = pg_ctl("restart")
    if done.returncode != 0:
        raise RuntimeError(f"pg_ctlcluster restart failed: {done.stderr or done.stdout}")


def pg_ensure_up() -> None:
    status = pg_ctl("status", timeout=20)
    if status.returncode == 3:  # not running
        pg_ctl("start")


# --------------------------------------------------------------------------- others' runs


def others_busy(server_connect: object, own_db: str) -> list[str]:
    """Why restarting the shared servers now would break someone else's run ([] if not)."""
    reasons = []
    mine = {os.getpid(), os.getppid()}
    out = subprocess.run(
        ["ps", "-eo", "pid=,args="], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    for line in out.splitlines():
        pid_text, _, args = line.strip().partition(" ")
        if not pid_text.isdigit() or int(pid_text) in mine:
            continue
        if any(name in args for name in OTHER_RUNS):
            reasons.append(f"process {pid_text}: {args[:100]}")
    try:
        conn = server_connect("postgres")  # type: ignore[operator]
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT datname, pid, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) "
                    "FROM pg_stat_activity WHERE state = 'active' AND datname IS NOT NULL "
                    "AND datname <> %s AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'",
                    [own_db],
                )
                for datname, pid, query in cursor.fetchall():
                    reasons.append(f"active query on {datname} (pid {pid}): {query}")
        finally:
            conn.close()
    except Exception as error:  # noqa: BLE001 - a server we cannot ask is not known to be idle
        reasons.append(f"could not read pg_stat_activity: {error}")
    return reasons
