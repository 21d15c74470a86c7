"""Receipt links: signed for this purpose only, bound to one delivery of one version."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "minutes.receipt-link"


@dataclass(frozen=True)
class ReceiptLink:
    delivery_id: int
    version_id: int
    expired: bool


class LinkTampered(Exception):
    pass


def receipt_token(*, delivery_id: int, version_id: int) -> str:
    return signing.dumps({"d": delivery_id, "v": version_id}, salt=SALT, compress=True)


def receipt_url(*, delivery_id: int, version_id: int) -> str:
    token = receipt_token(delivery_id=delivery_id, version_id=version_id)
    return settings.SITE_URL + reverse("minutes:receipt", args=[token])


def read_receipt_token(token: str) -> ReceiptLink:
    """The delivery a link names. An expired link still names it, so a fresh one can be
    offered; a tampered one names nothing."""
    max_age = timedelta(days=settings.MINUTES_RECEIPT_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
        expired = False
    except signing.SignatureExpired:
        data = signing.loads(token, salt=SALT)
        expired = True
    except signing.BadSignature as exc:
        raise LinkTampered from exc
    try:
        return ReceiptLink(delivery_id=int(data["d"]), version_id=int(data["v"]), expired=expired)
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkTampered from exc
