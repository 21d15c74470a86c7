"""Prints one discussion's record as JSON (docs/export.md), or writes it to a file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.trail import audit_record
from minutes.exports.discussion import discussion_export_json
from strategy.models import Discussion


def discussion_named(name: str) -> Discussion:
    """By reference (any case), or else by id."""
    found = Discussion.objects.filter(reference__iexact=name.strip()).first()
    if found is None and name.strip().isdigit():
        found = Discussion.objects.filter(pk=int(name)).first()
    if found is None:
        raise CommandError(f"No discussion has the reference or id {name}")
    return found


class Command(BaseCommand):
    help = "Exports one discussion's record as JSON: by its reference (SD-2026-00077) or id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("discussion", help="The discussion's reference or id")
        parser.add_argument("--output", help="Write the JSON to this file instead")

    def handle(self, *args: Any, **options: Any) -> None:
        discussion = discussion_named(options["discussion"])
        text = discussion_export_json(discussion)
        audit_record(
            None,
            "discussion.exported",
            discussion_id=discussion.pk,
            obj=discussion,
            detail={"by": "manage.py export_discussion"},
        )
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"{discussion.reference} written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
