from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency
from config.field_encryption import Decrypted, field_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypts every secret kept encrypted in the database (agencies' minutes PDF "
        "passwords) with the first key of FIELD_ENCRYPTION_KEY. Run it after putting a new key "
        "first; once it has run, the old keys can be removed from the list."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = 0
        with transaction.atomic():
            for agency in Agency.objects.select_for_update().exclude(minutes_pdf_password=""):
                password = agency.minutes_pdf_password
                assert isinstance(password, Decrypted)
                rotated_password = Decrypted(password, field_reencrypt(password.token))
                Agency.objects.filter(pk=agency.pk).update(minutes_pdf_password=rotated_password)
                rotated += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} secret(s)."))
