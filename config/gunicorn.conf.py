"""gunicorn for the production profile: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value comes from the environment, with a default that suits one machine behind a load
balancer or reverse proxy. The access log is one JSON object a line on standard output, with
the same redactions as the service's own logs (config/logs.py): no query string, no signed
token in a path, no client address unless LOG_CLIENT_ADDRESS=true.
"""

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _default_workers() -> int:
    """2 x cores + 1, counting only the cores this process may run on (a container's share),
    and capped: each worker holds its own PostgreSQL connection, and past this many a
    machine is better doubled than widened."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 9)


# This machine only by default; the container sets WEB_BIND=0.0.0.0:8000.
bind = [os.environ.get("WEB_BIND", "127.0.0.1:8000")]
workers = _int("WEB_CONCURRENCY", _default_workers())
# Sync workers: every page is a few short queries, measured by bench/load with this class.
# They must sit behind a proxy or load balancer that buffers slow clients.
worker_class = "sync"
# A request running longer than this is killed with its worker (the page answers 502); no
# page should take more than a second or two. PDFs are made by the Celery worker, not here.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Each worker is replaced after about this many requests, so a slow leak cannot grow forever.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Off: each worker imports the service itself, so `systemctl reload` (SIGHUP) starts workers
# on new code without dropping connections, and nothing opened while importing (a database
# connection, a broker pool, a thread) is ever shared by forked workers. The cost is a second
# or two at start and some memory per worker.
preload_app = False
# The proxies allowed to say the request came over HTTPS (X-Forwarded-Proto). Only the
# machine itself by default; name the load balancer's addresses or network (CIDR) otherwise.
# Django trusts the header only with BEHIND_TLS_PROXY=true; the visitor's address for
# throttling and the audit trail comes from TRUSTED_PROXY_COUNT (config/client_address.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The workers' heartbeat files: memory, not a container's overlay disk that can stall.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# /metrics must sum every worker's request counts (docs/operations.md): without a folder named,
# each worker writes to a private one made for this start.
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="strategy-web-metrics-")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
proc_name = "strategy-web"


class JsonAccessLog(Logger):
    """One JSON line per request, readable beside the service's own structured logs."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        from config.logs import safe_path

        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        line: dict[str, Any] = {
            "event": "http_access",
            "timestamp": datetime.now(UTC).isoformat(),
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD"),
            "path": safe_path(environ.get("PATH_INFO", "")),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        }
        if _true("LOG_CLIENT_ADDRESS"):
            line["remote_addr"] = environ.get("REMOTE_ADDR")
        if _true("LOG_TRUST_UPSTREAM_REQUEST_ID") and environ.get("HTTP_X_REQUEST_ID"):
            line["request_id"] = environ["HTTP_X_REQUEST_ID"]
        self.access_log.info(json.dumps(line))


logger_class = JsonAccessLog


def on_starting(server: Any) -> None:
    """/metrics sums every worker's files in PROMETHEUS_MULTIPROC_DIR (docs/operations.md):
    the folder must start empty, or the last run's counts are added to this one's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exits stops counting towards the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
