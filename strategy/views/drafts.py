"""Drafts kept on the server: what a recorder typed into a section and has not saved, offered
back on any device (static/js/drafts.mjs saves it every few seconds while they type)."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.access import current_user
from strategy import selectors
from strategy.models import FormDraft
from strategy.views.discussions import recorders

MAX_DRAFT_BYTES = 200_000  # ten times the longest answer a form takes, with room for the rest


def _form_path(pk: int, path: object) -> str | None:
    """Only this discussion's own pages can have a draft kept against it."""
    if not isinstance(path, str) or not path.startswith(f"/discussions/{pk}/") or len(path) > 300:
        return None
    return path


@recorders
@require_http_methods(["GET", "POST"])
def form_draft(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    discussion = selectors.discussion_for_recorder(user, pk)
    if request.method == "GET":
        path = _form_path(pk, request.GET.get("path", ""))
        draft = FormDraft.objects.filter(user=user, discussion=discussion, path=path).first()
        if draft is None:
            return HttpResponse(status=204)  # nothing kept for this form
        saved = timezone.localtime(draft.saved_at)
        return JsonResponse(
            {"values": draft.values, "savedAt": f"{saved:%H:%M} on {saved.day} {saved:%B}"}
        )
    if len(request.body) > MAX_DRAFT_BYTES:
        return JsonResponse({"error": "This draft is too long to keep"}, status=413)
    try:
        sent = json.loads(request.body)
        path, values = _form_path(pk, sent["path"]), sent["values"]
    except (ValueError, KeyError, TypeError):
        path, values = None, None
    if path is None or not isinstance(values, dict):
        return JsonResponse({"error": "Not a draft of one of this discussion's forms"}, status=400)
    values.pop("csrfmiddlewaretoken", None)
    FormDraft.objects.update_or_create(
        user=user, path=path, defaults={"discussion": discussion, "values": values}
    )
    return HttpResponse(status=204)
