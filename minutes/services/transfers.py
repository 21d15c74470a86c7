"""A case transfer accepted: the receiving authority gets the current minutes, through the
outbox, as any invited agency does."""

from minutes.models import Delivery, MinutesVersion, PDFStatus
from minutes.services.lifecycle import recipients_for
from outbox.models import MessageKind
from outbox.services import hint_send, message_owe
from strategy.models import CaseTransfer, Invitee


def transfer_minutes_copy(transfer: CaseTransfer, invitee: Invitee) -> Delivery | None:
    """Runs inside transfer_accept's transaction. Later versions reach the authority because
    it is now invited; this sends the version already approved, if any, once."""
    version = (
        MinutesVersion.objects.filter(discussion=transfer.discussion, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None or version.deliveries.filter(agency=invitee.agency).exists():
        return None
    delivery = Delivery.objects.create(
        version=version, invitee=invitee, agency=invitee.agency, recipients=recipients_for(invitee)
    )
    # Held until its PDF is made, as on approval; released at once if it already is.
    message = message_owe(
        kind=MessageKind.MINUTES,
        recipients=list(delivery.recipients),
        discussion_id=transfer.discussion_id,
        version_id=version.pk,
        delivery_id=delivery.pk,
        agency_id=delivery.agency_id,
        held=version.pdf_status != PDFStatus.RENDERED,
    )
    if version.pdf_status == PDFStatus.RENDERED:
        hint_send([message.pk])
    # The version's distributed_at stays: it records when the minutes reached every agency
    # invited to the discussion, which the receiving authority was not.
    return delivery
