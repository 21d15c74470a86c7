"""The session clock: a session ends after SIGNIN_IDLE_MINUTES without a request, and in any
case SIGNIN_LIFETIME_HOURS after signing in. Times are whole seconds since the epoch, kept in
the session itself."""

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import User, UserSession

STARTED = "signin.started_at"
SEEN = "signin.seen_at"
TRACKED_KEY = "signin.session_key"
# Writing the session on every request would cost a database write per page; a minute's
# imprecision in the idle clock costs nothing.
TOUCH_EVERY_SECONDS = 60


def idle_seconds() -> int:
    return settings.SIGNIN_IDLE_MINUTES * 60


def lifetime_seconds() -> int:
    return settings.SIGNIN_LIFETIME_HOURS * 60 * 60


def start(session: SessionBase) -> None:
    now = int(time.time())
    session[STARTED] = now
    session[SEEN] = now
    # The store forgets the session by itself a while after its lifetime. Until then a person
    # coming back is told why they were signed out.
    session.set_expiry(timezone.now() + timedelta(seconds=lifetime_seconds() + idle_seconds()))


def ended(session: SessionBase) -> str | None:
    """Why the session is over ("idle" or "lifetime"), or None while it is still good."""
    now = time.time()
    if STARTED not in session:  # signed in before the clock existed
        start(session)
    if now - session[SEEN] > idle_seconds():
        return "idle"
    if now - session[STARTED] > lifetime_seconds():
        return "lifetime"
    return None


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """The person did something: the idle clock starts again."""
    session = request.session
    now = int(time.time())
    if not force and now - session.get(SEEN, 0) < TOUCH_EVERY_SECONDS:
        return
    session[SEEN] = now
    if session.session_key and session.get(TRACKED_KEY) != session.session_key:
        # The key changed under us (a password change cycles it): follow it.
        assert isinstance(request.user, User)
        track(request, request.user)


def seconds_left(session: SessionBase) -> int:
    now = int(time.time())
    return max(
        0,
        int(
            min(
                session.get(SEEN, now) + idle_seconds() - now,
                session.get(STARTED, now) + lifetime_seconds() - now,
            )
        ),
    )


def track(request: HttpRequest, user: User) -> None:
    session = request.session
    if not session.session_key:
        session.save()
    assert session.session_key
    old = session.get(TRACKED_KEY)
    if old and old != session.session_key:
        UserSession.objects.filter(session_key=old).delete()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})
    session[TRACKED_KEY] = session.session_key


def on_signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    start(request.session)
    track(request, user)
    # Sessions older than the lifetime are over whatever the store says.
    longest = timezone.now() - timedelta(seconds=lifetime_seconds())
    UserSession.objects.filter(user=user, signed_in_at__lt=longest).delete()


def on_signed_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
