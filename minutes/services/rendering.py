"""Each approved version's PDF, rendered exactly once and kept in Django's storage.

Every delivery of a version sends the same bytes: the first caller renders while holding
the version's row lock, and everyone after reads the stored file. The render goes through
``minutes.pdf.render_minutes_pdf`` so tests and benchmarks can count renders by patching it.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from minutes import pdf
from minutes.models import MinutesVersion


def version_pdf_ensure(*, version_id: int) -> MinutesVersion:
    """The version with its PDF stored, rendering it if this is the first call."""
    rendered = (
        MinutesVersion.objects.select_related("discussion", "approved_by")
        .exclude(pdf_sha256="")
        .filter(pk=version_id)
        .first()
    )
    if rendered is not None:
        return rendered  # every send after the first: no lock needed
    with transaction.atomic():
        version = (
            MinutesVersion.objects.select_for_update(of=("self",))
            .select_related("discussion", "approved_by")
            .get(pk=version_id)
        )
        if version.pdf_sha256:
            return version
        if not version.is_approved:
            raise ValueError(f"{version} is a draft: only approved minutes are rendered to PDF")
        if version.snapshot is None:
            raise ValueError(f"{version} was approved without a snapshot of the record")
        data = pdf.render_minutes_pdf(pdf.minutes_html(version))
        version.pdf.save(f"minutes-v{version.number}.pdf", ContentFile(data), save=False)
        stored_name = str(version.pdf.name)
        version.pdf_sha256 = hashlib.sha256(data).hexdigest()
        version.pdf_rendered_at = timezone.now()
        try:
            version.save(update_fields=["pdf", "pdf_sha256", "pdf_rendered_at", "updated_at"])
        except BaseException:
            version.pdf.storage.delete(stored_name)
            raise
        return version


def version_pdf_bytes(version: MinutesVersion) -> bytes:
    """The stored PDF, checked against the hash recorded when it was rendered."""
    if not version.pdf or not version.pdf_sha256:
        raise ValueError(f"{version} has no rendered PDF: call version_pdf_ensure first")
    with version.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256:
        raise ValueError(f"The stored PDF for {version} does not match its recorded hash")
    return bytes(data)
