"""Outgoing messages: what the service owes people, by kind and state, the oldest still owed,
and every failed message with its reply and a way to send it again. Managers and
administrators only."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.access import current_user, role_required
from agencies.models import Role
from audit.trail import audit_record
from minutes.dashboards.measures import duration_text
from outbox.models import OWED_STATES, Message, MessageKind, MessageState
from outbox.services import messages_retry
from strategy.models import Discussion

PAGE_SIZE = 50

managers = role_required(Role.MANAGER, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class KindCounts:
    kind: str
    counts: list[int]
    total: int


def counts_by_kind_and_state() -> list[KindCounts]:
    tally = {
        (row["kind"], row["state"]): row["n"]
        for row in Message.objects.values("kind", "state").annotate(n=Count("pk")).order_by()
    }
    rows = []
    for kind, label in MessageKind.choices:
        counts = [tally.get((kind, state), 0) for state in MessageState.values]
        if any(counts):
            rows.append(KindCounts(label, counts, sum(counts)))
    return rows


def oldest_owed() -> Message | None:
    """Reads the partial index outbox_owed_idx: the first owed row by age."""
    return Message.objects.filter(state__in=OWED_STATES).order_by("created_at", "pk").first()


def failed_messages() -> QuerySet[Message]:
    reference = Discussion.objects.filter(pk=OuterRef("discussion_id")).values("reference")[:1]
    return (
        Message.objects.filter(state=MessageState.FAILED)
        .annotate(reference=Subquery(reference))
        .order_by("-failed_at", "-pk")
    )


def owed_since(message: Message | None, now: datetime) -> str:
    return duration_text(now - message.created_at) if message is not None else ""


@managers
def outgoing_messages(request: HttpRequest) -> HttpResponse:
    return _outgoing_page(request)


def _outgoing_page(request: HttpRequest, error: str = "") -> HttpResponse:
    now = timezone.now()
    oldest = oldest_owed()
    failed = failed_messages()
    page = Paginator(failed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/outgoing.html",
        {
            "states": MessageState.choices,
            "rows": counts_by_kind_and_state(),
            "owed": Message.objects.filter(state__in=OWED_STATES).count(),
            "oldest": oldest,
            "oldest_age": owed_since(oldest, now),
            "failed_count": failed.count(),
            "page": page,
            "error": error,
        },
    )


@managers
def outgoing_retry(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # the error page's own links (its pages of failures)
        query = request.GET.urlencode()
        return redirect(reverse("dashboards:outgoing") + (f"?{query}" if query else ""))
    chosen = [int(pk) for pk in request.POST.getlist("message") if pk.isdigit()]
    if not chosen and failed_messages().exists():
        return _outgoing_page(request, "Select at least one failed message to send again")
    retried = messages_retry(chosen)
    for message in Message.objects.filter(pk__in=retried).only("pk", "discussion_id", "kind"):
        audit_record(
            request,
            "outbox.retried",
            discussion_id=message.discussion_id,
            obj=message,
            detail={"kind": message.kind, "by": current_user(request).pk},
        )
    count = len(retried)
    if count:
        messages.success(
            request, f"{count} {'message' if count == 1 else 'messages'} will be sent again now"
        )
    else:  # another manager was quicker, or they were sent since the page was opened
        messages.info(
            request,
            "None of those messages has failed any more: since you opened the page they were "
            "sent again or cancelled.",
        )
    return redirect("dashboards:outgoing")
