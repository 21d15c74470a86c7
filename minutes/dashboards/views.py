"""Thin views: who may look, which filters, then a selector and a template.

Managers and administrators see every team; a chair sees their own team's; everyone else
gets a 404 (partner agency users have their own page, minutes:partner).
"""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.access import current_user, role_required
from minutes.dashboards import audit, exports, trends
from minutes.dashboards.filters import (
    VIEWER_ROLES,
    AuditFilterForm,
    DashboardFilterForm,
    Filters,
    TrendFilterForm,
    filter_form,
    query_without_page,
)
from minutes.dashboards.lists import CARDS, LISTS, DashboardList, csv_rows, table_rows
from minutes.dashboards.selectors import Moment

PAGE_SIZE = 25

viewers = role_required(*VIEWER_ROLES)


def _filtered(
    request: HttpRequest, form_class: type[DashboardFilterForm]
) -> tuple[DashboardFilterForm, Filters | None]:
    form = filter_form(form_class, current_user(request), request.GET)
    return form, form.filters()


def _team_name(form: DashboardFilterForm) -> str:
    team = form.cleaned_data.get("team") if form.is_valid() else None
    return team.name if team else "All teams"


@viewers
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request, DashboardFilterForm)
    moment = Moment.current()
    cards = []
    if filters is not None:
        for title, entries in CARDS:
            counts = [(entry, entry.rows(filters, moment).count()) for entry in entries]
            cards.append((title, counts))
    return render(
        request,
        "dashboards/index.html",
        {"form": form, "cards": cards, "query": query_without_page(form.query)},
    )


def _list_entry(slug: str) -> DashboardList:
    if slug not in LISTS:
        raise Http404
    return LISTS[slug]


def _list_page(
    request: HttpRequest,
    entry: DashboardList,
    form: DashboardFilterForm,
    filters: Filters | None,
    moment: Moment,
) -> HttpResponse:
    rows: Any = entry.rows(filters, moment) if filters is not None else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/list.html",
        {
            "form": form,
            "entry": entry,
            "page": page,
            "rows": table_rows(entry, page.object_list, moment),
            "query": query_without_page(form.query),
        },
    )


@viewers
def list_page(request: HttpRequest, slug: str) -> HttpResponse:
    entry = _list_entry(slug)
    form, filters = _filtered(request, DashboardFilterForm)
    return _list_page(request, entry, form, filters, Moment.current())


@viewers
def list_csv(request: HttpRequest, slug: str) -> HttpResponse:
    entry = _list_entry(slug)
    form, filters = _filtered(request, DashboardFilterForm)
    moment = Moment.current()
    if filters is None:
        return _list_page(request, entry, form, filters, moment)
    rows = entry.rows(filters, moment).iterator(chunk_size=exports.LIST_CHUNK_ROWS)
    return exports.csv_response(
        f"{entry.slug}-{moment.today}.csv",
        [column.csv_heading for column in entry.columns],
        csv_rows(entry, rows, moment),
    )


def _audit_page(
    request: HttpRequest, form: DashboardFilterForm, filters: Filters | None
) -> HttpResponse:
    moment = Moment.current()
    return render(
        request,
        "dashboards/audit.html",
        {
            "form": form,
            "filters": filters,
            "team_name": _team_name(form),
            "figures": audit.audit_figures(filters, moment.now) if filters else None,
            "agencies": audit.agency_figures(filters) if filters else [],
            "query": _period_query(form, filters),
        },
    )


def _period_query(form: DashboardFilterForm, filters: Filters | None) -> str:
    """The page's query with the period spelled out, so a download matches the page."""
    query = form.query.copy()
    if filters is not None and filters.start and filters.end:
        for name, day in (("start", filters.start), ("end", filters.end)):
            for part, value in enumerate((day.day, day.month, day.year)):
                query[f"{name}_{part}"] = str(value)
    return query_without_page(query)


@viewers
def audit_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request, AuditFilterForm)
    return _audit_page(request, form, filters)


@viewers
def audit_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request, AuditFilterForm)
    if filters is None:
        return _audit_page(request, form, filters)
    figures = audit.audit_figures(filters, Moment.current().now)
    return exports.csv_response(
        f"audit-figures-{filters.start}-to-{filters.end}.csv",
        [*audit.FIGURE_COLUMNS, "Team", "From", "To"],
        ((*row, _team_name(form), filters.start, filters.end) for row in figures.csv_rows()),
    )


@viewers
def agencies_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request, AuditFilterForm)
    if filters is None:
        return _audit_page(request, form, filters)
    return exports.csv_response(
        f"audit-agencies-{filters.start}-to-{filters.end}.csv",
        audit.AGENCY_COLUMNS,
        (audit.agency_csv_row(row) for row in audit.agency_figures(filters)),
    )


def _trend_page(
    request: HttpRequest, form: DashboardFilterForm, filters: Filters | None
) -> HttpResponse:
    figures = trends.monthly_figures(filters.team_id, Moment.current().now) if filters else []
    return render(
        request,
        "dashboards/trends.html",
        {
            "form": form,
            "team_name": _team_name(form),
            "charts": trends.trend_charts(figures) if figures else [],
            "query": query_without_page(form.query),
        },
    )


@viewers
def trends_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request, TrendFilterForm)
    return _trend_page(request, form, filters)


@viewers
def trends_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _filtered(request, TrendFilterForm)
    if filters is None:
        return _trend_page(request, form, filters)
    moment = Moment.current()
    return exports.csv_response(
        f"trends-{moment.today:%Y-%m}.csv",
        trends.TREND_COLUMNS,
        (trends.trend_csv_row(m) for m in trends.monthly_figures(filters.team_id, moment.now)),
    )
