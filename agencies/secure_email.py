"""Which email addresses are trusted to receive minutes unencrypted."""

from django.conf import settings

# How a minutes message held back for want of a PDF password says so (see minutes.encryption).
NO_PDF_PASSWORD = "No PDF password set up for"


def email_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower()


def is_secure_email(address: str, secure_domains: list[str] | None = None) -> bool:
    """True when the address's domain is on the secure list ("*.x" matches subdomains of x)."""
    domain = email_domain(address)
    for entry in secure_domains if secure_domains is not None else settings.SECURE_EMAIL_DOMAINS:
        entry = entry.strip().lower()
        if entry.startswith("*."):
            if domain.endswith(entry[1:]):
                return True
        elif domain == entry:
            return True
    return False
