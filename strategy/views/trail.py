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

# What each kind of event means, in words; the code stays beside it and in the CSV.
ACTION_WORDS = {
    "discussion.viewed": "Looked at the discussion",
    "minutes.workspace_viewed": "Looked at the minutes page",
    "minutes.viewed": "Read the minutes",
    "minutes.downloaded": "Downloaded the minutes PDF",
    "minutes.approved": "Approved the minutes",
    "minutes.pdf_retried": "Asked for the PDF to be made again",
    "minutes.amendment_started": "Started an amendment",
    "minutes.sent_in_error": "Withdrew minutes sent in error",
    "audit.viewed": "Looked at this audit trail",
    "audit.exported": "Downloaded this audit trail",
    "access.refused": "Was refused a page",
    "receipt.link_refused": "Used a receipt link that no longer works",
    "row.insert": "Added",
    "row.update": "Changed",
    "row.delete": "Removed",
    "retention.anonymised": "Anonymised at the end of retention",
}
TABLE_WORDS = {
    "strategy_discussion": "the discussion record",
    "strategy_child": "a child",
    "strategy_adult": "an adult",
    "strategy_invitee": "an invited agency",
    "strategy_childdecision": "a decision",
    "strategy_agencyposition": "an agency's position",
    "strategy_action": "an action",
    "strategy_invitationexception": "a reason for not inviting",
    "strategy_professionaldifference": "a Resolving Professional Differences record",
}


def trail_rows(events: list[AuditEvent]) -> list[dict[str, object]]:
    """Events newest first, in words; a run of the same person looking at the same thing
    is one row with a count, so 40 identical views do not bury the changes."""
    rows: list[dict[str, object]] = []
    for event in events:
        words = ACTION_WORDS.get(event.action, event.action)
        if event.action.startswith("row."):
            words = f"{words} {TABLE_WORDS.get(event.object_type, event.object_type)}"
        looking = event.action.endswith(("viewed", "downloaded"))
        last = rows[-1] if rows else None
        if (
            looking
            and last is not None
            and last["action"] == event.action
            and last["who"] == (event.actor_label or "system")
        ):
            last["count"] = int(str(last["count"])) + 1
            last["first_at"] = event.at
            continue
        rows.append(
            {
                "event": event,
                "action": event.action,
                "words": words,
                "who": event.actor_label or "system",
                "count": 1,
                "first_at": event.at,
            }
        )
    return rows


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
        request,
        "strategy/trail.html",
        {
            "discussion": discussion,
            "page": page,
            "rows": trail_rows(list(page.object_list)),
            "query": "",
        },
    )
