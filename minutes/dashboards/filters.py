"""The filters the dashboard pages share, and which team each viewer may see.

Managers and administrators see every team. A chair sees their own team only: the team
filter is forced to it, and asking for another team's figures is a 404, like any record
the viewer may not see.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from crispy_forms_gds.layout import Div, Field
from django import forms
from django.http import Http404, QueryDict
from django.utils import timezone

from agencies.models import Agency, Role, Team, User
from config.input_limits import BoundedInput
from strategy.forms.base import GovDateField, gds_helper

VIEWER_ROLES = (Role.MANAGER, Role.ADMINISTRATOR, Role.CHAIR, Role.AUDITOR)
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
AUDIT_MONTHS = 3


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    chair_id: int | None = None
    agency_id: int | None = None
    start: date | None = None
    end: date | None = None

    @property
    def starts_at(self) -> datetime | None:
        return day_start(self.start) if self.start else None

    @property
    def ends_before(self) -> datetime | None:
        """The first moment after the period: the start of the day after its last day."""
        return day_start(self.end + timedelta(days=1)) if self.end else None


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


class PeriodDateField(GovDateField):
    """A GOV.UK date input whose every mistake is named in the person's terms."""

    def clean(self, value: Any) -> date | None:
        parts = [str(part).strip() for part in (value or [])]
        if any(parts) and not all(parts):
            raise forms.ValidationError(f"{self.label} must include a day, month and year")
        try:
            return super().clean(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(f"{self.label} must be a real date") from error


def period_date(label: str, help_text: str = "For example, 27 3 2026") -> PeriodDateField:
    return PeriodDateField(label=label, required=False, help_text=help_text)


def scoped_query(user: User, query: QueryDict) -> QueryDict:
    """The query as this viewer may run it: a chair's is always for their own team."""
    if not user.has_role(*VIEWER_ROLES):
        raise Http404
    if user.role != Role.CHAIR:
        return query
    if user.team_id is None or query.get("team", "") not in ("", str(user.team_id)):
        raise Http404
    scoped = query.copy()
    scoped["team"] = str(user.team_id)
    return scoped


def _choice(label: str, queryset: Any, empty_label: str | None, invalid: str) -> Any:
    return forms.ModelChoiceField(
        label=label,
        required=False,
        queryset=queryset,
        empty_label=empty_label,
        error_messages={"invalid_choice": invalid},
    )


class DashboardFilterForm(BoundedInput, forms.Form):
    """Team, chair, agency and the dates of the discussions: what every list filters by."""

    team = _choice("Team", Team.objects.all(), "All teams", "Select a team from the list")
    chair = _choice("Chair", User.objects.none(), "Any chair", "Select a chair from the list")
    agency = _choice("Agency", Agency.objects.all(), "Any agency", "Select an agency from the list")
    start = period_date("Discussions from")
    end = period_date("Discussions to")

    submit_label = "Apply filters"

    def __init__(self, data: QueryDict, *, viewer: User) -> None:
        super().__init__(data)
        self.query = data
        chairs = User.objects.filter(role=Role.CHAIR).order_by("first_name", "last_name", "pk")
        if viewer.role == Role.CHAIR and viewer.team_id is not None:
            team = cast("forms.ModelChoiceField[Team]", self.fields["team"])
            team.queryset = Team.objects.filter(pk=viewer.team_id)
            team.empty_label = None
            chairs = chairs.filter(team_id=viewer.team_id)
        if "chair" in self.fields:
            cast("forms.ModelChoiceField[User]", self.fields["chair"]).queryset = chairs
        self.helper = gds_helper(*self._rows(), submit=self.submit_label)

    def _rows(self) -> list[Div]:
        """Choices side by side, then the dates side by side, above the full-width table."""
        choices = [
            Div(Field.select(name), css_class="govuk-grid-column-one-third")
            for name in ("team", "chair", "agency")
            if name in self.fields
        ]
        dates = [
            Div(Field(name), css_class="govuk-grid-column-one-half")
            for name in ("start", "end")
            if name in self.fields
        ]
        return [Div(*row, css_class="govuk-grid-row") for row in (choices, dates) if row]

    def _clean_year(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            label = str(self.fields[name].label)
            raise forms.ValidationError(
                f"{label} must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}"
            )
        return day

    def clean_start(self) -> date | None:
        return self._clean_year("start")

    def clean_end(self) -> date | None:
        return self._clean_year("end")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error(
                "end",
                f"{self.fields['end'].label} must be the same as or after "
                f"{str(self.fields['start'].label).lower()}",
            )
        return data

    def filters(self) -> Filters | None:
        """The filters asked for, or None when the form has mistakes to show."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return Filters(
            team_id=_pk(data.get("team")),
            chair_id=_pk(data.get("chair")),
            agency_id=_pk(data.get("agency")),
            start=data.get("start"),
            end=data.get("end"),
        )


def _pk(instance: Any) -> int | None:
    return instance.pk if instance is not None else None


class AuditFilterForm(DashboardFilterForm):
    """A team and a period; the period is the last three months unless another is given."""

    chair = None  # type: ignore[assignment]
    agency = None  # type: ignore[assignment]
    start = period_date("Discussions from", help_text="Leave blank for 3 months before the end")
    end = period_date("Discussions to", help_text="Leave blank for today")

    submit_label = "Show figures"

    def filters(self) -> Filters | None:
        filters = super().filters()
        if filters is None:
            return None
        end = filters.end or timezone.localdate()
        start = filters.start or months_before(end, AUDIT_MONTHS) + timedelta(days=1)
        if start > end:
            self.add_error("start", "Discussions from must be the same as or before today")
            return None
        return Filters(team_id=filters.team_id, start=start, end=end)


class TrendFilterForm(DashboardFilterForm):
    """Trends cover the last 12 months; only the team can be chosen."""

    chair = None  # type: ignore[assignment]
    agency = None  # type: ignore[assignment]
    start = None  # type: ignore[assignment]
    end = None  # type: ignore[assignment]

    submit_label = "Show trends"


def filter_form(
    form_class: type[DashboardFilterForm], user: User, query: QueryDict
) -> DashboardFilterForm:
    return form_class(scoped_query(user, query), viewer=user)


def query_without_page(query: QueryDict) -> str:
    kept = query.copy()
    kept.pop("page", None)
    return kept.urlencode()
