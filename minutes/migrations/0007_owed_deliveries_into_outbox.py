"""Deliveries still owed when the outbox arrived become outbox messages, so nothing owed is
lost in the upgrade; approved versions get the render step's status."""

from django.db import migrations
from datetime import timedelta

from django.utils import timezone


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    Version = apps.get_model("minutes", "MinutesVersion")
    Delivery = apps.get_model("minutes", "Delivery")
    Message = apps.get_model("outbox", "Message")
    now = timezone.now()
    Version.objects.filter(approved_at__isnull=False).exclude(pdf_sha256="").update(
        pdf_status="rendered"
    )
    Version.objects.filter(approved_at__isnull=False, pdf_sha256="").update(
        pdf_status="pending", pdf_next_attempt_at=now
    )
    owed = Delivery.objects.filter(status__in=["queued", "sending"], revoked_at__isnull=True)
    for delivery in owed.select_related("version"):
        rendered = bool(delivery.version.pdf_sha256)
        Message.objects.create(
            kind="minutes",
            recipients=delivery.recipients,
            discussion_id=delivery.version.discussion_id,
            version_id=delivery.version_id,
            delivery_id=delivery.pk,
            agency_id=delivery.agency_id,
            next_attempt_at=now if rendered else None,
            expires_at=now + timedelta(hours=24) if rendered else None,
            created_at=now,
        )
    owed.update(status="queued")


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0006_outbox_and_render_step"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
