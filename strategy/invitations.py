"""Invitation emails for strategy discussions, each with a calendar invitation.

Invitations go to agencies before the discussion, so they name no child and no adult:
the subject, the body and the calendar entry carry the discussion's reference instead.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from strategy.models import Discussion, Invitee

LONDON = ZoneInfo("Europe/London")
DISCUSSION_LENGTH = timedelta(hours=1)
ICS_MIMETYPE = "text/calendar; method=REQUEST"
ICS_LINE_OCTETS = 75


def invitation_ics(invitee: Invitee) -> str:
    """An RFC 5545 calendar request for the discussion, addressed to the invitee."""
    discussion = invitee.discussion
    starts_at = discussion.scheduled_for
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Strategy discussions//Invitations//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{discussion.reference}-{invitee.pk}@strategy-discussions",
        f"DTSTAMP:{_ics_datetime(timezone.now())}",
        f"DTSTART:{_ics_datetime(starts_at)}",
        f"DTEND:{_ics_datetime(starts_at + DISCUSSION_LENGTH)}",
        f"SUMMARY:{_ics_text(_title(discussion))}",
        f"LOCATION:{_ics_text(_location(discussion))}",
        f"DESCRIPTION:{_ics_text(_calendar_description(discussion))}",
        f"ORGANIZER;CN={_ics_param(discussion.team.name)}:mailto:{_service_address()}",
        f"ATTENDEE;CN={_ics_param(invitee.agency.name)};ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{invitee.invitation_address}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


def invitation_message(invitee: Invitee) -> EmailMessage:
    """The invitation email, with the calendar request attached."""
    discussion = invitee.discussion
    context = {
        "discussion": discussion,
        "invitee": invitee,
        "starts_at": discussion.scheduled_for,
        "chair_name": str(discussion.chair),
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(_render("emails/invitation-subject.txt", context).split())
    message = EmailMessage(
        subject=subject,
        body=_render("emails/invitation-body.txt", context),
        to=[invitee.invitation_address],
        reply_to=[discussion.chair.email] if discussion.chair.email else None,
    )
    message.attach("invitation.ics", invitation_ics(invitee), ICS_MIMETYPE)
    return message


def invitations_queue(*, discussion: Discussion, invitees: list[Invitee]) -> None:
    """Marks the invitations queued and sends them once the current transaction commits.

    An invitation already sent is not sent again: the task only claims unsent ones.
    """
    # strategy.tasks imports this module to build the message.
    from strategy.tasks import send_invitation

    queued_at = timezone.now()
    Invitee.objects.filter(discussion=discussion, pk__in=[i.pk for i in invitees]).update(
        invitation_queued_at=queued_at, invitation_error=""
    )
    for invitee in invitees:
        invitee.invitation_queued_at = queued_at
        invitee.invitation_error = ""
        transaction.on_commit(partial(send_invitation.delay, invitee.pk))


def _render(template_name: str, context: dict[str, object]) -> str:
    # Invitees read times as UK clock time, whichever timezone the worker has active.
    with timezone.override(LONDON):
        return render_to_string(template_name, context)


def _title(discussion: Discussion) -> str:
    return f"Strategy discussion {discussion.reference}"


def _location(discussion: Discussion) -> str:
    return discussion.joining_details.strip() or discussion.get_format_display()


def _calendar_description(discussion: Discussion) -> str:
    lines = [
        _title(discussion),
        f"Format: {discussion.get_format_display()}",
        f"Joining details: {discussion.joining_details.strip() or 'to follow from the chair'}",
        f"Convening team: {discussion.team.name}",
        f"Chair: {discussion.chair}",
        "This invitation is OFFICIAL-SENSITIVE.",
        settings.SITE_URL,
    ]
    return "\n".join(lines)


def _service_address() -> str:
    # DEFAULT_FROM_EMAIL may be "Name <address>"; a mailto URI takes the address alone.
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _ics_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 requires."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for character, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(character, escaped)
    return value


def _ics_param(value: str) -> str:
    # A quoted parameter value may hold any character except a double quote or a control.
    cleaned = "".join(c for c in value if c != '"' and c.isprintable())
    return f'"{cleaned}"'


def _ics_fold(line: str) -> str:
    """Folds a content line at 75 octets without splitting a UTF-8 character."""
    parts: list[str] = []
    current, octets = "", 0
    for character in line:
        width = len(character.encode())
        # Continuation lines begin with a space, which counts towards their 75 octets.
        limit = ICS_LINE_OCTETS if not parts else ICS_LINE_OCTETS - 1
        if octets + width > limit:
            parts.append(current)
            current, octets = "", 0
        current += character
        octets += width
    parts.append(current)
    return "\r\n ".join(parts)
