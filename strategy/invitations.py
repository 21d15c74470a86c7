"""Invitation emails for strategy discussions, each with a calendar invitation.

Invitations go to agencies before the discussion, so they name no child and no adult:
the subject, the body and the calendar entry carry the discussion's reference instead.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.secure_email import is_secure_email
from outbox.kinds import Handler, handler_register
from outbox.models import Message, MessageKind
from outbox.services import message_owe, messages_cancel
from strategy.models import Discussion, Invitee
from strategy.models.people import address_line

LONDON = ZoneInfo("Europe/London")
DISCUSSION_LENGTH = timedelta(hours=1)
ICS_MIMETYPE = "text/calendar; method=REQUEST"
ICS_CANCEL_MIMETYPE = "text/calendar; method=CANCEL"
INVITATION_KINDS = (
    MessageKind.INVITATION,
    MessageKind.INVITATION_UPDATE,
    MessageKind.INVITATION_CANCELLATION,
)
ICS_LINE_OCTETS = 75


def invitation_ics(invitee: Invitee, *, cancel: bool = False) -> str:
    """An RFC 5545 calendar request for the discussion, addressed to the invitee."""
    discussion = invitee.discussion
    starts_at = discussion.scheduled_for
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Strategy discussions//Invitations//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if cancel else "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{discussion.reference}-{invitee.pk}@strategy-discussions",
        f"DTSTAMP:{_ics_datetime(timezone.now())}",
        # Each change is a later sequence, so calendars replace the entry they hold.
        f"SEQUENCE:{int(timezone.now().timestamp())}",
        f"DTSTART:{_ics_datetime(starts_at)}",
        f"DTEND:{_ics_datetime(starts_at + DISCUSSION_LENGTH)}",
        f"SUMMARY:{_ics_text(_title(discussion))}",
        f"LOCATION:{_ics_text(_location(discussion))}",
        f"DESCRIPTION:{_ics_text(_calendar_description(discussion))}",
        f"ORGANIZER;CN={_ics_param(discussion.team.name)}:mailto:{_service_address()}",
        f"ATTENDEE;CN={_ics_param(invitee.agency.name)};ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{invitee.invitation_address}",
        "STATUS:CANCELLED" if cancel else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


def family_lines(discussion: Discussion) -> list[str]:
    """Who the discussion is about, so a GP or the police can find their records before
    the call. Only ever in the body of an email to a secure address: never in a subject,
    a calendar entry, or anything sent outside the secure domains."""
    lines = [f"{child.full_name}, {child.identifiers}" for child in discussion.children.all()]
    for adult in discussion.adults.all():
        parts = [adult.name, adult.get_relationship_display().lower(), adult.identifiers]
        if adult.address:
            parts.append("address " + address_line(adult.address))
        lines.append(", ".join(part.strip() for part in parts if part.strip()))
    return lines


def invitation_message(invitee: Invitee, *, update: bool = False) -> EmailMessage:
    """The invitation email, with the calendar request attached."""
    discussion = invitee.discussion
    context = {
        "discussion": discussion,
        "invitee": invitee,
        "starts_at": discussion.scheduled_for,
        "chair_name": str(discussion.chair),
        "site_url": settings.SITE_URL,
        "update": update,
        "secure": is_secure_email(invitee.invitation_address),
        "family": family_lines(discussion) if is_secure_email(invitee.invitation_address) else [],
    }
    subject = " ".join(_render("emails/invitation-subject.txt", context).split())
    if update:
        subject = f"Updated: {subject}"
    message = EmailMessage(
        subject=subject,
        body=_render("emails/invitation-body.txt", context),
        to=[invitee.invitation_address],
        reply_to=[discussion.chair.email] if discussion.chair.email else None,
    )
    message.attach("invitation.ics", invitation_ics(invitee), ICS_MIMETYPE)
    return message


def _owe(invitee: Invitee, kind: str, email: EmailMessage) -> None:
    attachments = [
        {"filename": name, "content": str(content), "mimetype": str(mimetype)}
        for name, content, mimetype in email.attachments  # type: ignore[misc]
    ]
    message_owe(
        kind=kind,
        recipients=list(email.to),
        subject=str(email.subject),
        body=str(email.body),
        reply_to=list(email.reply_to),
        attachments=attachments,
        discussion_id=invitee.discussion_id,
        agency_id=invitee.agency_id,
        about_id=invitee.pk,
    )


def _owed_invitations(invitee: Invitee) -> QuerySet[Message]:
    return Message.objects.filter(about_id=invitee.pk, kind__in=INVITATION_KINDS)


def invitations_queue(*, discussion: Discussion, invitees: list[Invitee]) -> None:
    """Owes each invitee an invitation in the outbox, in the caller's transaction.

    An invitation already sent is not sent again."""
    queued_at = timezone.now()
    for invitee in invitees:
        if invitee.invitation_sent_at is not None:
            continue
        invitee.invitation_queued_at = queued_at
        invitee.invitation_error = ""
        _owe(invitee, MessageKind.INVITATION, invitation_message(invitee))
    Invitee.objects.filter(discussion=discussion, pk__in=[i.pk for i in invitees]).filter(
        invitation_sent_at__isnull=True
    ).update(invitation_queued_at=queued_at, invitation_error="")


def invitations_update(*, discussion: Discussion) -> None:
    """The time, format or joining details changed: everyone invited hears of it."""
    for invitee in discussion.invitees.select_related("agency", "contact", "discussion__chair"):
        if invitee.invitation_queued_at is None:
            continue
        messages_cancel(_owed_invitations(invitee), reason="Replaced by an updated invitation")
        sent = invitee.invitation_sent_at is not None
        kind = MessageKind.INVITATION_UPDATE if sent else MessageKind.INVITATION
        _owe(invitee, kind, invitation_message(invitee, update=sent))


def invitations_cancel(*, invitees: list[Invitee]) -> None:
    """Removed from the invite list: an invitation not yet sent is not sent; one already sent
    is followed by a cancellation. Call before the invitees are deleted."""
    for invitee in invitees:
        messages_cancel(_owed_invitations(invitee), reason="Removed from the invite list")
        if invitee.invitation_sent_at is None:
            continue
        discussion = invitee.discussion
        context = {
            "discussion": discussion,
            "invitee": invitee,
            "starts_at": discussion.scheduled_for,
        }
        email = EmailMessage(
            subject=" ".join(
                _render("emails/invitation-cancellation-subject.txt", context).split()
            ),
            body=_render("emails/invitation-cancellation-body.txt", context),
            to=[invitee.invitation_address],
            reply_to=[discussion.chair.email] if discussion.chair.email else None,
        )
        email.attach("cancellation.ics", invitation_ics(invitee, cancel=True), ICS_CANCEL_MIMETYPE)
        _owe(invitee, MessageKind.INVITATION_CANCELLATION, email)


def invitation_sent(message: Message, at: datetime) -> None:
    if message.kind == MessageKind.INVITATION:
        Invitee.objects.filter(pk=message.about_id or 0).update(
            invitation_sent_at=at, invitation_error=""
        )


def invitation_not_sent(message: Message, at: datetime) -> None:
    Invitee.objects.filter(pk=message.about_id or 0, invitation_sent_at__isnull=True).update(
        invitation_error=message.last_reply
    )


for _kind in INVITATION_KINDS:
    handler_register(
        _kind,
        Handler(sent=invitation_sent, failed=invitation_not_sent, retrying=invitation_not_sent),
    )


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
