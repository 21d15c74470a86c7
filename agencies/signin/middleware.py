from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from agencies.signin import sessions, single_sign_on, steps

ENDED = {
    "idle": "We signed you out because you had not used the service for {minutes} minutes. "
    "Sign in again to carry on.",
    "lifetime": "We signed you out because you had been signed in for {hours} hours. "
    "Sign in again to carry on.",
}
# What someone who still has to set up a second factor may reach.
OPEN_BEFORE_SET_UP = {
    "login",
    "logout",
    "signin:code",
    "signin:setup",
    "signin:backup_codes",
    "signin:keep_alive",
}


class SignInMiddleware:
    """Ends sessions left idle or past their lifetime, and keeps anyone who must have a second
    factor to setting one up until they have. Goes after the auth, OTP and messages
    middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            why = sessions.ended(request.session)
            if why is None:
                if not _is_status_check(request):
                    sessions.touch(request)
                # For the timeout warning in base.html.
                request.signin_timeout = {  # type: ignore[attr-defined]
                    "seconds_left": sessions.seconds_left(request.session),
                    "warning_seconds": settings.SIGNIN_WARNING_SECONDS,
                }
            else:
                # Carry on as a signed-out visitor: a page that needs signing in sends them
                # to the sign-in page, and back here afterwards.
                logout(request)
                messages.error(request, ENDED[why].format(**_limits()))
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        if not user.requires_second_factor:  # type: ignore[union-attr]
            return None
        if request.session.get(single_sign_on.PROVIDER_MFA):
            return None  # the organisation's own second factor, accepted by the partnership
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SET_UP:
            return None
        going_to = request.get_full_path() if request.method == "GET" else ""
        return redirect(steps.with_next(reverse("signin:setup"), going_to))


def _is_status_check(request: HttpRequest) -> bool:
    """The timeout warning asking how long is left is not the person doing something."""
    return request.method == "GET" and request.path == reverse("signin:keep_alive")


def _limits() -> dict[str, int]:
    return {
        "minutes": sessions.idle_seconds() // 60,
        "hours": sessions.lifetime_seconds() // 3600,
    }
