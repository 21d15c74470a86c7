"""The dashboard's lists: what each shows and its columns, shared by the page and the CSV.

A column's value is the raw fact (a datetime, a number, a name); the page and the CSV each
format it their own way, so both always show the same thing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from minutes.dashboards import selectors
from minutes.dashboards.filters import Filters
from minutes.dashboards.measures import duration_text
from minutes.dashboards.selectors import Moment
from strategy.working_days import working_days_between

Value = str | int | date | datetime | timedelta | None


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Any, Moment], Value]
    href: Callable[[Any], str] | None = None
    numeric: bool = False
    duration: bool = False  # reads '2 days 3 hours' on the page, and as hours in a CSV

    @property
    def csv_heading(self) -> str:
        return f"{self.heading} (hours)" if self.duration else self.heading


@dataclass(frozen=True)
class DashboardList:
    slug: str
    title: str
    card_label: str
    description: str
    rows: Callable[[Filters, Moment], QuerySet[Any]]
    columns: tuple[Column, ...]
    urgent: bool = True  # anything on it needs doing now


def _discussion_columns(path: str) -> tuple[Column, ...]:
    """The discussion's reference (linked to it), chair and team."""
    discussion = attrgetter(path) if path else (lambda row: row)
    return (
        Column(
            "Discussion",
            lambda row, _: discussion(row).reference,
            href=lambda row: reverse("strategy:detail", args=[discussion(row).pk]),
        ),
        Column("Chair", lambda row, _: str(discussion(row).chair)),
        Column("Team", lambda row, _: discussion(row).team.name),
    )


def _delivery_columns() -> tuple[Column, ...]:
    return (
        Column(
            "Discussion",
            lambda d, _: f"{d.version.discussion.reference} version {d.version.number}",
            href=lambda d: reverse("minutes:workspace", args=[d.version.discussion_id]),
        ),
        Column("Agency", lambda d, _: d.agency.name),
    )


def _due(discussion: Any) -> datetime:
    return discussion.held_at + timedelta(hours=settings.MINUTES_DEADLINE_HOURS)


OVERDUE = DashboardList(
    slug="minutes-overdue",
    title="Minutes overdue",
    card_label="Minutes overdue",
    description="Discussions held more than 24 hours ago whose minutes have not yet been "
    "sent to every invited agency, oldest first.",
    rows=selectors.minutes_overdue,
    columns=(
        _discussion_columns("")[0],
        Column("Held", lambda d, _: d.held_at),
        Column("Overdue by", lambda d, m: m.now - _due(d), duration=True),
        *_discussion_columns("")[1:],
    ),
)

AT_RISK = DashboardList(
    slug="minutes-at-risk",
    title="Minutes at risk of being late",
    card_label="Minutes at risk (held 18 to 24 hours ago)",
    description="Discussions held 18 to 24 hours ago whose minutes have not yet been sent: "
    "the 24-hour deadline is close.",
    rows=selectors.minutes_at_risk,
    columns=(
        _discussion_columns("")[0],
        Column("Held", lambda d, _: d.held_at),
        Column("Time left", lambda d, m: max(_due(d) - m.now, timedelta(0)), duration=True),
        *_discussion_columns("")[1:],
    ),
)


def _receipts(slug: str, label: str, least: int | None, less_than: int | None) -> DashboardList:
    def rows(filters: Filters, moment: Moment) -> QuerySet[Any]:
        return selectors.receipts_outstanding(
            filters,
            moment,
            sent_at_least=timedelta(hours=least) if least is not None else None,
            sent_less_than=timedelta(hours=less_than) if less_than is not None else None,
        )

    return DashboardList(
        slug=slug,
        title=f"Receipts outstanding: sent {label}",
        card_label=f"Sent {label}",
        description=f"Minutes sent {label} whose receipt the agency has not yet confirmed, "
        "oldest first, with the reminders sent and any escalation.",
        rows=rows,
        columns=(
            *_delivery_columns(),
            Column("Sent", lambda d, _: d.sent_at),
            Column("Waiting", lambda d, m: m.now - d.sent_at, duration=True),
            Column("Chases sent", lambda d, _: d.chases_sent, numeric=True),
            Column("Escalated", lambda d, _: d.escalated_at or "No"),
        ),
        urgent=least is not None,
    )


RECEIPTS_NEW = _receipts("receipts-under-24-hours", "less than 24 hours ago", None, 24)
RECEIPTS_DAYS = _receipts("receipts-1-to-3-days", "1 to 3 days ago", 24, 72)
RECEIPTS_OLD = _receipts("receipts-over-3-days", "more than 3 days ago", 72, None)


def _discussion_link(message: Any) -> str:
    if message.discussion_id is None:
        return ""
    return reverse("strategy:detail", args=[message.discussion_id])


def _version_columns() -> tuple[Column, ...]:
    """A minutes version (linked to the minutes page) and when it was approved."""
    return (
        Column(
            "Discussion",
            lambda v, _: f"{v.discussion.reference} version {v.number}",
            href=lambda v: reverse("minutes:workspace", args=[v.discussion_id]),
        ),
        Column("Approved", lambda v, _: v.approved_at),
    )


FAILED = DashboardList(
    slug="failed-messages",
    title="Failed messages",
    card_label="Failed messages",
    description="Messages of every kind (invitations, minutes, reminders, escalations, "
    "dispute alerts, fresh links) that could not be sent, with the mail server's last reply. "
    "Correct the address, then a manager or administrator sends them again from the "
    "outgoing messages page.",
    rows=selectors.messages_failed,
    columns=(
        Column("Discussion", lambda m, _: m.reference or "", href=_discussion_link),
        Column("Message", lambda m, _: m.get_kind_display()),
        Column("To", lambda m, _: ", ".join(m.recipients)),
        Column("Attempts", lambda m, _: m.attempts, numeric=True),
        Column("Failed", lambda m, _: m.failed_at),
        Column("Server's reply", lambda m, _: m.last_reply),
    ),
)

PDFS_FAILED = DashboardList(
    slug="pdfs-not-made",
    title="Minutes whose PDF could not be made",
    card_label="PDFs that could not be made",
    description="Approved minutes whose PDF could not be made after every try, with the "
    "error. Nothing goes to the agencies until it is made: the chair can try again from the "
    "minutes page.",
    rows=selectors.pdfs_failed,
    columns=(
        *_version_columns(),
        Column("Error", lambda v, _: v.pdf_error),
        *_discussion_columns("discussion")[1:],
    ),
)

AMENDMENTS_OVERDUE = DashboardList(
    slug="amendments-overdue",
    title="Amended minutes overdue",
    card_label="Amended minutes overdue",
    description="Amended minutes approved more than 24 hours ago that have not yet reached "
    "every invited agency, oldest first.",
    rows=selectors.amendments_overdue,
    columns=(
        *_version_columns(),
        Column(
            "Overdue by",
            lambda v, m: m.now - v.approved_at - timedelta(hours=settings.MINUTES_DEADLINE_HOURS),
            duration=True,
        ),
        *_discussion_columns("discussion")[1:],
    ),
)

SENT_IN_ERROR = DashboardList(
    slug="sent-in-error",
    title="Links sent in error",
    card_label="Links sent in error",
    description="Deliveries withdrawn because the minutes went to the wrong place, most "
    "recent first. Their receipt links no longer work.",
    rows=selectors.deliveries_sent_in_error,
    columns=(
        *_delivery_columns(),
        Column("Withdrawn", lambda d, _: d.revoked_at),
        Column("Reason", lambda d, _: d.revoked_reason),
    ),
    urgent=False,
)

DISPUTES = DashboardList(
    slug="disputed-minutes",
    title="Disputed minutes",
    card_label="Disputed minutes",
    description="Recipients who said the minutes do not reflect the discussion, not yet "
    "resolved by an amendment.",
    rows=selectors.disputes_open,
    columns=(
        Column(
            "Discussion",
            lambda x, _: (
                f"{x.delivery.version.discussion.reference} version {x.delivery.version.number}"
            ),
            href=lambda x: reverse("minutes:workspace", args=[x.delivery.version.discussion_id]),
        ),
        Column("Agency", lambda x, _: x.delivery.agency.name),
        Column("Raised by", lambda x, _: f"{x.raised_by_name} ({x.raised_by_role})"),
        Column("Raised", lambda x, _: x.raised_at),
        Column("Statement", lambda x, _: x.statement),
    ),
)


def _difference_columns() -> tuple[Column, ...]:
    return (
        Column(
            "Discussion",
            lambda p, _: p.discussion.reference,
            href=lambda p: reverse("strategy:difference", args=[p.discussion_id, p.pk]),
        ),
        Column("Stage", lambda p, _: p.stage, numeric=True),
        Column("Owner", lambda p, _: p.owner),
        Column("Stage due by", lambda p, _: p.stage_due_on),
        Column(
            "Raised by",
            lambda p, _: (
                f"{p.raised_by} ({p.raising_agency.name})" if p.raising_agency else p.raised_by
            ),
        ),
        Column("Raised with", lambda p, _: p.raised_with),
        Column("About", lambda p, _: p.get_about_display()),
        Column("Raised on", lambda p, _: p.raised_on),
    )


DIFFERENCES = DashboardList(
    slug="disagreements-unresolved",
    title="Professional differences not yet resolved, by stage",
    card_label="Professional differences not yet resolved",
    description="Resolving Professional Differences records still open, by stage (1: "
    "practitioners; 2: team or line managers; 3: heads of service or designated safeguarding "
    "leads; 4: the partnership's escalation panel), oldest first within each stage.",
    rows=selectors.differences_open,
    columns=_difference_columns(),
)

DIFFERENCES_PAST = DashboardList(
    slug="differences-past-timescale",
    title="Professional differences past their stage's timescale",
    card_label="Professional differences past their timescale",
    description="Open differences whose current stage has run past its last working day. "
    "Below stage 4 the next sweep escalates them to the next owner; at stage 4 they are "
    "with the partnership's escalation panel.",
    rows=selectors.differences_past_timescale,
    columns=(
        *_difference_columns()[:4],
        Column(
            "Working days past",
            lambda p, m: working_days_between(p.stage_due_on, m.today),
            numeric=True,
        ),
        *_difference_columns()[4:],
    ),
)


def _working_days_late(d: Any, moment: Moment) -> int:
    last = timezone.localdate(d.held_at) if d.held_at else moment.today
    return working_days_between(d.timescale_due_on, last)


LATE = DashboardList(
    slug="discussions-late",
    title="Discussions held late",
    card_label="Discussions late for their timescale",
    description="Discussions held after the timescale their urgency sets, or not yet held "
    "and already past it, counted in working days from the concern (or, when retrospective, "
    "from the emergency action), with the reason for the delay.",
    rows=selectors.discussions_late,
    columns=(
        _discussion_columns("")[0],
        Column("Urgency", lambda d, _: d.get_urgency_display()),
        Column("Concern raised", lambda d, _: d.concern_raised_at),
        Column("Due by", lambda d, _: d.timescale_due_on),
        Column("Held", lambda d, _: d.held_at or "Not yet held"),
        Column("Working days late", _working_days_late, numeric=True),
        Column("Reason for the delay", lambda d, _: d.delay_reason or "Not recorded"),
        *_discussion_columns("")[1:],
    ),
)

FOLLOW_UPS = DashboardList(
    slug="follow-ups-overdue",
    title="Follow-up discussions overdue",
    card_label="Follow-up discussions overdue",
    description="Follow-up discussions past their due date that have not been held.",
    rows=selectors.follow_ups_overdue,
    columns=(
        _discussion_columns("")[0],
        Column("Follows", lambda d, _: d.follows.reference if d.follows else ""),
        Column("Due by", lambda d, _: d.follow_up_due_by),
        Column("Days overdue", lambda d, m: (m.today - d.follow_up_due_by).days, numeric=True),
        *_discussion_columns("")[1:],
    ),
)

CONFERENCES = DashboardList(
    slug="conferences-due",
    title="Initial child protection conferences due",
    card_label="Conferences due in 5 working days or overdue",
    description="Initial child protection conferences due within the next 5 working days, "
    "or overdue, for children whose discussion is not closed. A conference leaves the list "
    "when its chair or a manager records the day it was held, on the discussion's page.",
    rows=selectors.conferences_due,
    columns=(
        _discussion_columns("child.discussion")[0],
        Column("Child", lambda c, _: c.child.full_name),
        Column("Conference due by", lambda c, _: c.conference_due_by),
        Column(
            "Working days left",
            lambda c, m: working_days_between(m.today, c.conference_due_by),
            numeric=True,
        ),
        *_discussion_columns("child.discussion")[1:],
    ),
)

ACTIONS = DashboardList(
    slug="actions-overdue",
    title="Actions past their due date",
    card_label="Actions past their due date",
    description="Actions agreed at discussions that are past their due date and not "
    "recorded as done. The agency filter is the agency responsible.",
    rows=selectors.actions_overdue,
    columns=(
        _discussion_columns("discussion")[0],
        Column("What needs to happen", lambda a, _: a.what),
        Column("Agency", lambda a, _: a.agency.name),
        Column("Named person", lambda a, _: a.person),
        Column("Due by", lambda a, _: a.due_by),
        Column("Days overdue", lambda a, m: (m.today - a.due_by).days, numeric=True),
    ),
)

TRANSFERS = DashboardList(
    slug="transfers-pending",
    title="Case transfers not yet accepted",
    card_label="Case transfers not yet accepted",
    description="Cases recorded as transferring to another local authority whose written "
    "acceptance is not yet recorded. Until it is, the convening authority holds the case.",
    rows=selectors.transfers_pending,
    columns=(
        _discussion_columns("discussion")[0],
        Column("Receiving authority", lambda t, _: t.receiving_authority.name),
        Column("Proposed for", lambda t, _: t.proposed_on),
        Column("Days since proposed", lambda t, m: (m.today - t.proposed_on).days, numeric=True),
        *_discussion_columns("discussion")[1:],
    ),
)

# The summary cards at the top of the dashboard, each row linking to its list.
CARDS: tuple[tuple[str, tuple[DashboardList, ...]], ...] = (
    ("Minutes", (OVERDUE, AT_RISK, AMENDMENTS_OVERDUE, PDFS_FAILED)),
    ("Receipts outstanding", (RECEIPTS_OLD, RECEIPTS_DAYS, RECEIPTS_NEW)),
    ("Messages", (FAILED, SENT_IN_ERROR)),
    ("Disputes and disagreements", (DISPUTES, DIFFERENCES, DIFFERENCES_PAST)),
    ("Next steps", (LATE, FOLLOW_UPS, CONFERENCES, ACTIONS, TRANSFERS)),
)

LISTS: dict[str, DashboardList] = {entry.slug: entry for _, group in CARDS for entry in group}


def page_text(value: Value) -> str:
    """A column's value as the page shows it."""
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return f"{local.day} {local:%b %Y %H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    numeric: bool = False


def table_rows(entry: DashboardList, rows: Any, moment: Moment) -> list[list[Cell]]:
    return [
        [
            Cell(
                text=page_text(column.value(row, moment)),
                href=column.href(row) if column.href else "",
                numeric=column.numeric,
            )
            for column in entry.columns
        ]
        for row in rows
    ]


def csv_rows(entry: DashboardList, rows: Any, moment: Moment) -> Any:
    for row in rows:
        yield [column.value(row, moment) for column in entry.columns]
