"""One discussion's record as JSON, for managers and administrators. Anyone else gets the
404 every other person's record gives."""

from django.http import HttpRequest, HttpResponse

from agencies.access import current_user, role_required
from agencies.models import Role
from audit.trail import audit_record
from minutes.exports.discussion import discussion_export_json
from strategy.selectors import discussion_for_viewer

managers = role_required(Role.MANAGER, Role.ADMINISTRATOR)


@managers
def discussion_export(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = discussion_for_viewer(current_user(request), pk)
    audit_record(request, "discussion.exported", discussion_id=discussion.pk, obj=discussion)
    response = HttpResponse(
        discussion_export_json(discussion), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{discussion.reference}.json"'
    return response
