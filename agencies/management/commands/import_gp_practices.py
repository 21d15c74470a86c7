"""Imports GP practices from the NHS ODS `epraccur` extract (see agencies.ods)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.ods import epraccur_read
from agencies.services import gp_practices_import


class Command(BaseCommand):
    help = (
        "Creates or updates GP practices by ODS code from an epraccur CSV file. Never deletes; "
        "a closed practice is deactivated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The epraccur CSV file, without a header row")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as lines:
                report = gp_practices_import(entries=epraccur_read(lines))
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{options['file']} is not UTF-8 text") from error
        self.stdout.write(
            f"Created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}"
        )
        for skipped in report.skipped:
            self.stdout.write(f"Skipped {skipped}")
        if report.created:
            self.stdout.write(
                "New practices are deactivated until their secure email address for minutes "
                "is added in the directory."
            )
