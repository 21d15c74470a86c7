"""Seeds fictional discussions in volume, to measure the dashboards. Never on real data."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minutes.dashboards.volume import volume_seed

PER_MONTH = 333  # about 4,000 discussions a year: a large county's partnership


class Command(BaseCommand):
    help = (
        "Seeds fictional strategy discussions with invitees, minutes, deliveries, receipts, "
        "chases and disputes, spread over past months, to measure the dashboards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--discussions", type=int, default=1000)
        parser.add_argument("--agencies", type=int, default=300)
        parser.add_argument(
            "--months",
            type=float,
            help=f"History to spread them over (default: {PER_MONTH} discussions a month)",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data")
        parser.add_argument("--chunk", type=int, default=2000, help="Discussions a transaction")
        parser.add_argument(
            "--skip-audit-trail",
            action="store_true",
            help="PostgreSQL, as a superuser: do not copy the seeded rows into the audit "
            "trail (several times faster)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_volume is for scratch databases; it refuses when DEBUG=false")
        discussions, agencies = options["discussions"], options["agencies"]
        if discussions < 1 or agencies < 20:
            raise CommandError("Seed at least 1 discussion and 20 agencies")
        months = options["months"] or max(discussions / PER_MONTH, 1.0)
        started = time.monotonic()
        counts = volume_seed(
            discussions=discussions,
            agencies=agencies,
            months=months,
            seed=options["seed"],
            now=timezone.now(),
            chunk=options["chunk"],
            skip_audit_trail=options["skip_audit_trail"],
            report=lambda line: self.stdout.write(f"  {line}"),
        )
        took = time.monotonic() - started
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(f"Seeded over {months:.1f} months in {took:.0f}s: {summary}")
