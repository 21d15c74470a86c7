"""Recording who looked at, downloaded or changed what, when and from where.

Changes to the records are written by PostgreSQL triggers (audit.triggers); this module
records what the database cannot see (looks, downloads, sign-ins, refusals) and tells the
triggers who is acting."""

from collections.abc import Callable
from typing import Any

import structlog
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from audit.models import AuditEvent
from config.client_address import client_address

# Each entry is also a log line under the same event name, with identifiers only: the
# trail's own columns (names in actor_label, the path, the detail) stay out of the logs.
log = structlog.get_logger("audit")

# Which discussion a refused page aimed at, by URL name ("minutes:version") or namespace
# ("strategy:*"). Each app registers its own pages, so this module imports none of them.
DiscussionOf = Callable[[dict[str, Any]], int | None]
_REFUSAL_TARGETS: dict[str, DiscussionOf] = {}


def refusal_target_register(url_name: str, discussion_of: DiscussionOf) -> None:
    _REFUSAL_TARGETS[url_name] = discussion_of


def refused_discussion(request: HttpRequest) -> int | None:
    """The existing discussion a refused request aimed at, if any."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    discussion_of = _REFUSAL_TARGETS.get(match.view_name) or _REFUSAL_TARGETS.get(
        f"{match.namespace}:*"
    )
    return discussion_of(match.kwargs) if discussion_of else None


def refusal_record(request: HttpRequest, response: HttpResponse) -> AuditEvent:
    """Who was refused which page, when, and the answer they were given."""
    return audit_record(
        request,
        "access.refused",
        discussion_id=refused_discussion(request),
        detail={"status": response.status_code},
    )


def actor_of(request: HttpRequest | None) -> tuple[Any, str]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, f"{user} ({user.username})"
    return None, ""


def audit_record(
    request: HttpRequest | None,
    action: str,
    *,
    discussion_id: int | None = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    actor, label = actor_of(request)
    log.info(
        action,
        user_id=actor.pk if actor is not None else None,
        discussion_id=discussion_id,
        object_type=obj._meta.db_table if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else None,
    )
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(actor_label or label)[: AuditEvent._meta.get_field("actor_label").max_length],
        action=action,
        discussion_id=discussion_id,
        object_type=obj._meta.db_table if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        after=detail,
        ip=(client_address(request) or None) if request is not None else None,
        path=request.get_full_path()[:500] if request is not None else "",
    )


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(request, "signin.succeeded", actor_label=f"{user} ({user.username})")


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    audit_record(
        request, "signin.failed", detail={"username": str(credentials.get("username", ""))[:150]}
    )


class AuditMiddleware:
    """Tells PostgreSQL's triggers who is acting (only when a request writes), and records
    every refusal of a signed-in person (the 404s the access table prescribes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "postgresql":
            response = self.get_response(request)
        else:
            response = self._with_actor(request)
        if (
            response.status_code == 404
            and getattr(request, "user", None) is not None
            and (request.user.is_authenticated)
        ):
            refusal_record(request, response)
        return response

    def _with_actor(self, request: HttpRequest) -> HttpResponse:
        told = False

        def tell_triggers(execute, sql, params, many, context):  # noqa: ANN001, ANN202
            nonlocal told
            if not told and sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                told = True
                actor, label = actor_of(request)
                context["cursor"].cursor.execute(
                    "SELECT set_config('audit.actor_id', %s, false),"
                    " set_config('audit.actor_label', %s, false),"
                    " set_config('audit.ip', %s, false),"
                    " set_config('audit.path', %s, false)",
                    [
                        str(actor.pk) if actor else "",
                        label,
                        client_address(request),
                        request.get_full_path()[:500],
                    ],
                )
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(tell_triggers):
                return self.get_response(request)
        finally:
            if told:
                with connection.cursor() as cursor:
                    cursor.cursor.execute(
                        "SELECT set_config('audit.actor_id', '', false),"
                        " set_config('audit.actor_label', '', false),"
                        " set_config('audit.ip', '', false), set_config('audit.path', '', false)"
                    )
