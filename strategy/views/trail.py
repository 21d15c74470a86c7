"""A discussion's audit trail, for managers and administrators."""

import csv
import json

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.access import current_user, role_required
from agencies.models import Role
from audit.models import AuditEvent
from audit.trail import audit_record
from strategy import selectors

trail_readers = role_required(Role.MANAGER, Role.ADMINISTRATOR)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


@trail_readers
def discussion_trail(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_viewer(current_user(request), pk)
    events = AuditEvent.objects.filter(discussion_id=discussion.pk).order_by("-at", "-pk")
    if request.GET.get("format") == "csv":
        audit_record(request, "audit.exported", discussion_id=discussion.pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{discussion.reference}-audit-trail.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(["When (UTC)", "Who", "What", "Object", "From", "Page", "Before", "After"])
        for event in events.iterator():
            writer.writerow(
                spreadsheet_safe(v)
                for v in (
                    event.at.isoformat(),
                    event.actor_label or "system",
                    event.action,
                    f"{event.object_type} {event.object_id}".strip(),
                    event.ip or "",
                    event.path,
                    json.dumps(event.before) if event.before else "",
                    json.dumps(event.after) if event.after else "",
                )
            )
        return response
    audit_record(request, "audit.viewed", discussion_id=discussion.pk)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "strategy/trail.html", {"discussion": discussion, "page": page, "query": ""}
    )
