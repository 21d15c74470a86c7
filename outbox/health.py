"""The outbox's health check: the oldest message still owed is younger than the threshold.

A message owed for longer than HEALTH_OLDEST_OWED_SECONDS means the sender or the sweep has
stopped, or the mail server has refused everything for that long: someone should look."""

import dataclasses

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from outbox.selectors import oldest_owed_age


@dataclasses.dataclass
class OldestOwedMessage(HealthCheck):
    def run(self) -> None:
        age = oldest_owed_age()
        limit = settings.HEALTH_OLDEST_OWED_SECONDS
        if age is not None and age > limit:
            raise ServiceUnavailable(
                f"The oldest owed message has waited {age:.0f} s (limit {limit} s)"
            )
