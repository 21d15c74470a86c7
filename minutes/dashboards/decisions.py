"""The decisions feed for the case-management system: a period (by the date discussions were
held) and a team, then a CSV of one row per child decision. Managers and administrators
only; everyone else gets a 404."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.access import current_user, role_required
from agencies.models import Role
from audit.trail import audit_record
from minutes.dashboards import exports
from minutes.dashboards.filters import AuditFilterForm, Filters, filter_form
from minutes.dashboards.views import _period_query, _team_name
from minutes.exports.decisions import DECISION_COLUMNS, decision_feed, decisions_held

managers = role_required(Role.MANAGER, Role.ADMINISTRATOR)


class DecisionFeedForm(AuditFilterForm):
    """A team and the period the discussions were held in: the last three months unless
    another is given."""

    submit_label = "Show decisions"


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Filters | None]:
    form = filter_form(DecisionFeedForm, current_user(request), request.GET)
    assert isinstance(form, AuditFilterForm)
    return form, form.filters()


def _page(request: HttpRequest, form: AuditFilterForm, filters: Filters | None) -> HttpResponse:
    return render(
        request,
        "dashboards/decisions.html",
        {
            "form": form,
            "filters": filters,
            "team_name": _team_name(form),
            "count": decisions_held(filters).count() if filters else None,
            "query": _period_query(form, filters),
        },
    )


@managers
def decisions_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request)
    return _page(request, form, filters)


@managers
def decisions_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request)
    if filters is None:
        return _page(request, form, filters)
    audit_record(
        request,
        "decisions.exported",
        detail={"start": str(filters.start), "end": str(filters.end), "team": filters.team_id},
    )
    return exports.csv_response(
        f"decisions-{filters.start}-to-{filters.end}.csv", DECISION_COLUMNS, decision_feed(filters)
    )
