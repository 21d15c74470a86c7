"""CSV downloads: every dashboard table, with the filters of the page it came from.

Every download streams: a list's rows come from `.iterator(chunk_size=LIST_CHUNK_ROWS)`, which
on PostgreSQL reads through a server-side cursor, so a download holds one chunk of rows in
memory however long the list (tests/dashboards/test_exports.py shows the cursor open while it
streams; bench/dashboard_bench.py gives time per row and peak memory). The audit and trends
downloads write one row per figure, agency or month, so they grow with the directory and
the calendar, never with the number of discussions.

Cells are guarded against formula injection: a spreadsheet would run text starting with
= + - @ (or a tab or carriage return) as a formula, so such text gets a leading quote.
Numbers stay numbers.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched from the server-side cursor at a time: the most a list download holds. A row
# of a list is several model instances (the delivery, its version, discussion, team, chair,
# agency), about 5 KiB; 200 rows keep a download's peak under a megabyte whatever the list's
# length (2000 held 10 MiB), and a fetch per 200 rows costs under 1% of writing them.
LIST_CHUNK_ROWS = 200


def csv_cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 3600, 1)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written, so rows stream as they are made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """Streams, so a long list never sits whole in memory."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Served like any response; typed as one because the role checks expect HttpResponse.
    return cast(HttpResponse, response)
