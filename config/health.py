"""The health check and the metrics, for the people and machines that run the service.

`/health/` answers 200 or 503 with each check's name and "ok" or "failing", never a reason,
so a load balancer or uptime monitor may call it unauthenticated. Administrators see the
reasons and timings at `/health/detail/`. `/metrics` is Prometheus text for a scraper that
holds METRICS_TOKEN or calls from METRICS_ALLOWED_ADDRESSES; anyone else gets a 404.

The checks are django-health-check's (and the apps' own, in their health.py), listed in
HEALTH_CHECKS. They run one after another in the request's own thread rather than through the
library's asynchronous view: the service runs under WSGI, and database checks run on the
library's executor threads would each hold a connection that no request ever closes.
"""

import hmac
import logging
import os
import timeit
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import HealthCheckException
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agencies.access import role_required
from agencies.models import Role
from config.client_address import client_address
from operations.metrics import registry

logger = logging.getLogger(__name__)


def health_checks() -> list[HealthCheck]:
    checks = []
    for entry in settings.HEALTH_CHECKS:
        path, options = entry if isinstance(entry, tuple) else (entry, {})
        checks.append(import_string(path)(**options))
    return checks


def health_results() -> list[HealthCheckResult]:
    results = []
    for check in health_checks():
        started = timeit.default_timer()
        error: HealthCheckException | None = None
        try:
            check.run()
        except HealthCheckException as exc:
            logger.warning("Health check %r failed: %s", check, exc)
            error = exc
        except Exception:
            logger.exception("Health check %r failed unexpectedly", check)
            error = HealthCheckException("unknown error")
        results.append(HealthCheckResult(check, error, timeit.default_timer() - started))
    return results


def _status(results: list[HealthCheckResult]) -> int:
    return 503 if any(result.error for result in results) else 200


def _name(check: HealthCheck) -> str:
    return " ".join(check.labels.values())


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    results = health_results()
    lines = [f"{_name(r.check)}: {'failing' if r.error else 'ok'}" for r in results]
    response = HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=_status(results)
    )
    add_never_cache_headers(response)
    return response


@role_required(Role.ADMINISTRATOR)
def health_detail(request: HttpRequest) -> HttpResponse:
    results = health_results()
    rows = [
        {
            "name": _name(r.check),
            "error": str(r.error) if r.error else "",
            "milliseconds": round(r.time_taken * 1000),
        }
        for r in results
    ]
    response = render(request, "health.html", {"rows": rows}, status=_status(results))
    add_never_cache_headers(response)
    return response


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return bool(settings.METRICS_ALLOWED_ADDRESSES) and (
        client_address(request) in settings.METRICS_ALLOWED_ADDRESSES
    )


@require_GET
def metrics(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    response = HttpResponse(
        generate_latest(registry(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""))),
        content_type=CONTENT_TYPE_LATEST,
    )
    add_never_cache_headers(response)
    return response


class LoadBalancerProbeMiddleware:
    """Answers GET /health/ before anything else: a load balancer probes by address over plain
    HTTP, which the host check (ALLOWED_HOSTS) and the HTTPS redirect would refuse. The answer
    names no host and carries nothing personal."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and request.path_info == HEALTH_PATH:
            return health(request)
        return self.get_response(request)


HEALTH_PATH = "/health/"
