"""What the session remembers between the steps of signing in, and where to go afterwards."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from agencies.models import User

# Between the password and the code: who is signing in, and since when.
PENDING = "signin.pending"
# When the person last gave their password and a code again, for changing security settings.
REAUTHENTICATED = "signin.reauthenticated_at"
# Backup codes just issued, shown once and then forgotten.
NEW_BACKUP_CODES = "signin.new_backup_codes"


def next_url(request: HttpRequest) -> str:
    """The page the person was heading for, if it is on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def with_next(url: str, next_to: str) -> str:
    return f"{url}?{urlencode({'next': next_to})}" if next_to else url


def pending_start(request: HttpRequest, user: User) -> None:
    request.session.cycle_key()  # a correct password is worth a new key, as signing in is
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
    }


def pending_user(request: HttpRequest) -> User | None:
    """The person who gave a correct password and now owes a code, for a few minutes."""
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if time.time() - pending["at"] > settings.SIGNIN_CODE_MINUTES * 60:
        pending_end(request)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def pending_end(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


def reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTHENTICATED] = int(time.time())


def reauthenticated_recently(request: HttpRequest) -> bool:
    at = request.session.get(REAUTHENTICATED)
    return at is not None and time.time() - at <= settings.SIGNIN_REAUTHENTICATE_MINUTES * 60


def reauthentication_used(request: HttpRequest) -> None:
    """One confirmation, one change."""
    request.session.pop(REAUTHENTICATED, None)
