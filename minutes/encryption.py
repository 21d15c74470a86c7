"""Minutes for addresses outside the secure domains: the PDF encrypted with AES-256.

The password is the agency's own, set by an administrator in the Django admin and given to
the agency another way (read out by phone, say). It never travels in an email.
"""

from io import BytesIO

from pypdf import PdfReader, PdfWriter

from agencies.models import Agency
from agencies.secure_email import NO_PDF_PASSWORD, is_secure_email

NO_PASSWORD = NO_PDF_PASSWORD


class PDFPasswordMissing(Exception):
    """Minutes are owed to addresses outside the secure domains and nothing may go plainly."""

    def __init__(self, agency: Agency, addresses: list[str]) -> None:
        super().__init__(
            f"{NO_PASSWORD} {agency.name}: an administrator must set one before minutes can "
            f"go to {', '.join(addresses)}"
        )


def recipients_split(recipients: list[str]) -> tuple[list[str], list[str]]:
    """(secure, outside): decided at send time, against today's list of secure domains."""
    secure = [address for address in recipients if is_secure_email(address)]
    outside = [address for address in recipients if address not in secure]
    return secure, outside


def pdf_encrypt(pdf: bytes, password: str) -> bytes:
    """The same document, tags and metadata included, openable only with the password."""
    if not password:
        raise ValueError("An encrypted PDF needs a password")
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.encrypt(user_password=password, algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
