"""Letters to the professionals whose discussions a case audit graded good: optional, sent by
the auditor with one button, through the outbox, once per discussion in the audit.

The letter goes to the discussion's chair. It names the discussion by reference and the
audit by its period, never the family, so it may go to any address on record."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from minutes.models import CaseAudit, CaseAuditItem, Grade
from outbox.models import MessageKind
from outbox.services import hint_send, message_owe


@transaction.atomic
def good_practice_letters_send(*, audit: CaseAudit) -> int:
    """Owes a letter for every discussion graded good that has not had one; returns how many.
    The items are locked, so two presses cannot owe two letters."""
    now = timezone.now()
    owed = []
    items = (
        CaseAuditItem.objects.select_for_update(of=("self",))
        .filter(audit=audit, grade=Grade.GOOD, letter_owed_at__isnull=True)
        .select_related("discussion__chair", "discussion__team")
    )
    for item in items:
        chair = item.discussion.chair
        if not chair.email:
            continue
        context = {"audit": audit, "discussion": item.discussion, "chair": chair}
        message = message_owe(
            kind=MessageKind.GOOD_PRACTICE_LETTER,
            recipients=[chair.email],
            subject=" ".join(
                render_to_string("emails/good-practice-letter-subject.txt", context).split()
            ),
            body=render_to_string(
                "emails/good-practice-letter-body.txt",
                {**context, "site_url": settings.SITE_URL},
            ),
            discussion_id=item.discussion_id,
            about_id=item.pk,
        )
        item.letter_owed_at = now
        item.save(update_fields=["letter_owed_at"])
        owed.append(message.pk)
    hint_send(owed)
    return len(owed)
