"""Failed sign-ins are counted by django-axes: a wrong password and a wrong security code both
count. The account (and the account at one address) is locked after AXES_FAILURE_LIMIT
failures; an address as a whole only after SIGNIN_ADDRESS_FAILURE_LIMIT failures within
SIGNIN_ADDRESS_WINDOW_MINUTES, whoever they named, so that one person's mistakes never lock
out the colleagues who share their office's address. Cool-off: AXES_COOLOFF_TIME."""

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from config.client_address import client_address


class AccountFirstHandler(AxesDatabaseHandler):
    """axes' database handler with one more, much higher, limit per address."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or address_locked_out(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        locked = request is None or getattr(request, "axes_locked_out", False)
        if not locked and address_locked_out(request):
            request.axes_locked_out = True  # AxesMiddleware answers with locked_out
            request.axes_credentials = credentials


def address_locked_out(request: HttpRequest) -> bool:
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    since = timezone.now() - timedelta(minutes=settings.SIGNIN_ADDRESS_WINDOW_MINUTES)
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return (failures or 0) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT


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
