"""Every table downloads as CSV, with the page's filters, safe to open in a spreadsheet."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from minutes.dashboards.exports import csv_cell
from tests.conftest import missing_service
from tests.dashboards import builders as b


def download(client, url: str, query: dict | None = None) -> list[list[str]]:  # noqa: ANN001
    response = client.get(url, query or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1632 960000", "'+44 1632 960000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("Plain words", "Plain words"),
        (-3, -3),
        (12, 12),
        (None, ""),
        (date(2026, 3, 18), "2026-03-18"),
        (datetime(2026, 3, 18, 12, 0, tzinfo=UTC), "2026-03-18 12:00"),
        (timedelta(hours=27, minutes=30), 27.5),
    ],
)
def test_cells_are_safe_from_formula_injection(value, cell) -> None:  # noqa: ANN001
    assert csv_cell(value) == cell


def test_a_list_downloads_with_its_filters(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    north = b.discussion(p, held_at=b.at(16, 9))
    b.discussion(p, held_at=b.at(15, 9), team=p.south, chair=p.nadia)

    rows = download(client_for(maya), "/dashboards/minutes-overdue/download.csv",
                    {"team": p.north.pk})  # fmt: skip

    assert rows == [
        ["Discussion", "Held", "Overdue by (hours)", "Chair", "Team"],
        [north.reference, "2026-03-16 09:00", "27.0", "Chris Example",
         "Eastmere North Assessment Team"],
    ]  # fmt: skip


def test_disputes_download_with_their_statements_defused(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    d = b.discussion(p, held_at=b.at(11, 9), distributed_at=b.at(11, 12))
    b.dispute(b.delivery(b.version(d), p.agencies["hospital"], sent_at=b.at(11, 12)),
              raised_at=b.at(12, 9))  # fmt: skip

    rows = download(client_for(maya), "/dashboards/disputed-minutes/download.csv")

    assert rows[0] == ["Discussion", "Agency", "Raised by", "Raised", "Statement"]
    assert rows[1][4].startswith("'=HYPERLINK(")
    assert rows[1][2] == "Dr Hana Paediatrician (Named doctor)"


def test_the_page_links_to_the_download_with_the_same_filters(p, client_for, maya) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/actions-overdue/", {"team": p.north.pk}).text

    assert f'href="/dashboards/actions-overdue/download.csv?team={p.north.pk}"' in text


def test_the_audit_tables_download(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    d = b.discussion(p, held_at=b.at(2, 10), distributed_at=b.at(2, 20))
    b.invite(d, p.agencies["police"], "attended")
    b.delivery(b.version(d), p.agencies["police"], sent_at=b.at(2, 20),
               confirmed_after=timedelta(hours=5), chases=0)  # fmt: skip
    period = {"start_0": "1", "start_1": "3", "start_2": "2026"}

    figures = download(client_for(maya), "/dashboards/audit/figures.csv", period)
    agencies = download(client_for(maya), "/dashboards/audit/agencies.csv", period)

    period_columns = ["All teams", "2026-03-01", "2026-03-18"]
    assert figures[0] == ["Figure", "Counted by", "Number", "Out of", "Percentage",
                          "Median (hours)", "Team", "From", "To"]  # fmt: skip
    assert ["Discussions held", "Discussion", "1", "", "", "", *period_columns] in figures
    assert ["Minutes sent to every invited agency within 24 hours", "Discussion", "1", "1",
            "100", "", *period_columns] in figures  # fmt: skip
    assert ["Police, health and children's social care took part", "Child", "0", "0", "", "",
            *period_columns] in figures  # fmt: skip
    assert ["Median time to send the minutes", "", "", "", "", "10.0",
            *period_columns] in figures  # fmt: skip
    assert agencies == [
        ["Agency", "Invited", "Attended", "Minutes sent", "Receipts confirmed",
         "Median time to confirm (hours)", "Chases needed"],
        ["Eastmere Constabulary", "1", "1", "1", "1", "5.0", "0"],
    ]  # fmt: skip


def test_the_audit_page_links_downloads_for_the_period_it_shows(
    p, frozen, client_for, maya
) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/audit/").text

    assert "start_0=19&amp;start_1=12&amp;start_2=2025" in text
    assert "end_0=18&amp;end_1=3&amp;end_2=2026" in text


def test_trends_download_a_row_a_month(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    b.discussion(p, held_at=b.at(2, 10), distributed_at=b.at(2, 20))

    rows = download(client_for(maya), "/dashboards/trends/trends.csv")

    assert rows[0][:2] == ["Month", "Discussions held"]
    assert [row[0] for row in rows[1:]] == [
        "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10",
        "2025-11", "2025-12", "2026-01", "2026-02", "2026-03",
    ]  # fmt: skip
    assert rows[-1][:2] == ["2026-03", "1"]
    assert rows[-1][4] == "100"  # minutes within 24 hours
    assert rows[1][1:] == ["0", "", "", "", ""]


def open_server_side_cursors() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        return cursor.fetchone()[0]


def test_a_list_streams_from_a_server_side_cursor(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    """Rows go out as PostgreSQL hands them over, chunk by chunk, so memory stays flat however
    long the list: the cursor is open while the download streams and closed at its end."""
    if connection.vendor != "postgresql":
        missing_service("server-side cursors are PostgreSQL's (set DATABASE_URL)")
    for day in (9, 10, 11):
        b.discussion(p, held_at=b.at(day, 9))

    response = client_for(maya).get("/dashboards/minutes-overdue/download.csv")
    assert response.streaming
    lines = iter(response.streaming_content)
    assert next(lines).startswith(b"Discussion,")
    assert open_server_side_cursors() == 0  # nothing is read before the first row is wanted
    next(lines)
    assert open_server_side_cursors() == 1
    assert len(list(lines)) == 2
    assert open_server_side_cursors() == 0
