"""What the minutes hold about a discussion, anonymised when its retention period ends
(registered with audit.retention in MinutesConfig.ready).

Each version keeps its number, dates and the fingerprint of the PDF that was sent, as
evidence; the snapshot, the notes, the reasons and the stored PDF go. Deliveries keep
when they were sent and confirmed, not by whom or to which addresses."""

from datetime import datetime
from functools import partial

from django.db import transaction

from audit.retention import REMOVED
from minutes.models import Chase, Delivery, Dispute, MinutesVersion


def discussion_minutes_anonymise(*, discussion_id: int, now: datetime) -> None:
    versions = MinutesVersion.objects.filter(discussion_id=discussion_id)
    storage = MinutesVersion._meta.get_field("pdf").storage  # type: ignore[union-attr]
    for name in versions.exclude(pdf="").values_list("pdf", flat=True):
        # Only once the anonymisation has committed: a rollback must not lose the file.
        transaction.on_commit(partial(storage.delete, name))
    versions.update(snapshot=None, additional_notes="", pdf="")
    versions.exclude(amendment_reason="").update(amendment_reason=REMOVED)
    versions.exclude(change_summary="").update(change_summary=REMOVED)
    deliveries = Delivery.objects.filter(version__discussion_id=discussion_id)
    deliveries.update(recipients=[], last_error="", confirmed_by_name="", confirmed_by_role="")
    deliveries.exclude(revoked_reason="").update(revoked_reason=REMOVED)
    Chase.objects.filter(delivery__version__discussion_id=discussion_id).update(recipients=[])
    Dispute.objects.filter(delivery__version__discussion_id=discussion_id).update(
        statement=REMOVED, raised_by_name=REMOVED, raised_by_role=""
    )
