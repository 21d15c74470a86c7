from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from strategy.services.retention import retention_apply, retention_report


class Command(BaseCommand):
    help = (
        "Reports the closed discussions whose retention period has ended (a dry run, the "
        "default); with --apply, anonymises them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="anonymise, not just report")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        lines = retention_report(now)
        self.stdout.write(
            f"Retention period: {settings.RETENTION_DAYS} days after closing. "
            f"{len(lines)} discussion(s) due."
        )
        for line in lines:
            self.stdout.write(
                f"  {line.reference}: closed {line.closed_at:%d %B %Y}, {line.children} "
                f"child(ren), {line.adults} adult(s), {line.minutes_versions} minutes version(s)"
            )
        if not options["apply"]:
            self.stdout.write("Dry run: nothing changed. Run with --apply to anonymise.")
            return
        done = retention_apply(now)
        self.stdout.write(self.style.SUCCESS(f"Anonymised {len(done)} discussion(s)."))
