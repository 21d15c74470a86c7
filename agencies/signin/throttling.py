"""Failed sign-ins are counted by django-axes, per account and per address: a wrong password
and a wrong security code both count. Settings: AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME."""

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    """The address a request came from. Behind SIGNIN_PROXY_COUNT proxies that each append
    to X-Forwarded-For, the client is that many entries from the right; anything further left
    was written by the client and cannot be trusted."""
    proxies = settings.SIGNIN_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def failure_record(request: HttpRequest, username: str) -> None:
    """A wrong code counts like a wrong password (axes listens for this signal)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def lockout_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page axes shows instead of the sign-in form once the limit is reached."""
    return render(
        request,
        "signin/locked_out.html",
        {"minutes": lockout_minutes(request)},
        status=429,  # Too Many Requests, as axes answers
    )
