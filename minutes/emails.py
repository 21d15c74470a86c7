"""Emails about minutes: two templates each, emails/<name>-subject.txt and -body.txt.

Subjects carry the discussion's reference and date, never a child's name."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from minutes.encryption import PDFPasswordMissing, pdf_encrypt, recipients_split
from minutes.models import Delivery
from minutes.receipts_links import receipt_url


def templated_email(name: str, context: dict[str, Any], to: list[str]) -> EmailMessage:
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def delivery_context(delivery: Delivery) -> dict[str, Any]:
    version = delivery.version
    discussion = version.discussion
    return {
        "delivery": delivery,
        "version": version,
        "discussion": discussion,
        "agency": delivery.agency,
        "held_on": timezone.localtime(discussion.held_at or discussion.scheduled_for),
        "receipt_url": receipt_url(delivery_id=delivery.pk, version_id=version.pk),
        "site_url": settings.SITE_URL,
    }


def minutes_summary(delivery: Delivery) -> dict[str, Any]:
    """For this agency, from the approved snapshot: the decision for each child and the
    agency's own actions. It names children, so it goes only in email to secure addresses."""
    snapshot = delivery.version.snapshot or {}
    return {
        "decisions": [
            {
                "child": d["child"],
                "outcomes": ", ".join(d["outcomes"]) or "No decision recorded",
                "conference_due_by": d.get("conference_due_by", ""),
            }
            for d in snapshot.get("decisions", [])
        ],
        "our_actions": [
            a for a in snapshot.get("actions", []) if a.get("agency") == delivery.agency.name
        ],
    }


def minutes_message(
    delivery: Delivery, pdf: bytes, to: list[str], *, encrypted: bool = False
) -> EmailMessage:
    context = {
        **delivery_context(delivery),
        "encrypted": encrypted,
        "summary": None if encrypted else minutes_summary(delivery),
    }
    message = templated_email("minutes", context, to)
    version = delivery.version
    message.attach(
        f"{version.discussion.reference}-minutes-v{version.number}.pdf", pdf, "application/pdf"
    )
    return message


def minutes_password_check(delivery: Delivery) -> tuple[list[str], list[str]]:
    """The delivery's secure addresses and the rest. Raises PDFPasswordMissing if there is
    an address outside the secure domains and the agency has no password for its PDF."""
    secure, outside = recipients_split(list(delivery.recipients))
    if outside and not delivery.agency.minutes_pdf_password:
        raise PDFPasswordMissing(delivery.agency, outside)
    return secure, outside


def minutes_messages(delivery: Delivery, pdf: bytes) -> list[EmailMessage]:
    """The plain PDF to the secure addresses; an AES-256 copy to the rest, in its own message.

    Raises PDFPasswordMissing, before building anything, if an address is outside the secure
    domains and the agency has no password: no plain PDF ever goes outside them."""
    secure, outside = minutes_password_check(delivery)
    password = delivery.agency.minutes_pdf_password
    messages = []
    if secure:
        messages.append(minutes_message(delivery, pdf, secure))
    if outside:
        messages.append(
            minutes_message(delivery, pdf_encrypt(pdf, password), outside, encrypted=True)
        )
    return messages
