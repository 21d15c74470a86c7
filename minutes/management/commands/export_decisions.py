"""Writes the decisions feed for the case-management system as CSV (docs/export.md)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minutes.dashboards.exports import csv_lines
from minutes.dashboards.filters import Filters
from minutes.exports.decisions import DECISION_COLUMNS, decision_feed


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text} is not a date like 2026-04-30") from error


class Command(BaseCommand):
    help = "One CSV row per child decision in discussions held from one day to another."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD")
        parser.add_argument("--output", help="Write the CSV to this file instead")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"]), _day(options["end"])
        if end < start:
            raise CommandError("--to must be the same as or after --from")
        lines = csv_lines(DECISION_COLUMNS, decision_feed(Filters(start=start, end=end)))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.writelines(lines)
        else:
            for line in lines:
                self.stdout.write(line, ending="")
