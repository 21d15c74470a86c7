"""Minutes for a seeded discussion: versions, a delivery to every invitee, receipts
confirmed or not, reminders and escalations, disputes. As the service would have left them."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from minutes.dashboards.volume.tables import Seat, Tables, lognormal_hours
from minutes.models import DeliveryStatus

REFUSED = "550 5.1.1 Recipient address rejected: mailbox unavailable"


class MinutesMaker:
    def __init__(self, tables: Tables, rng: random.Random, now: datetime) -> None:
        self.t, self.rng, self.now = tables, rng, now

    def make(
        self, discussion_id: int, held_at: datetime, chair: int, seats: list[Seat]
    ) -> dict[str, Any]:
        """Versions and deliveries; returns the discussion's distribution fields."""
        rng = self.rng
        approved = held_at + lognormal_hours(rng, 14, 0.7)
        if approved > self.now or rng.random() < 0.0005:
            return {}
        recent = self.now - held_at < timedelta(days=30)
        failing = rng.choice(seats).agency_id if recent and rng.random() < 0.1 else None
        distributed = self._version(discussion_id, 1, approved, chair, seats, failing)
        if rng.random() < 0.1:
            amended = approved + timedelta(days=rng.randint(2, 10))
            if amended <= self.now:
                self._version(discussion_id, 2, amended, chair, seats, None)
        return {"minutes_distributed_at": distributed, "record_locked_at": approved}

    def _version(
        self,
        discussion_id: int,
        number: int,
        approved: datetime,
        chair: int,
        seats: list[Seat],
        failing: int | None,
    ) -> datetime | None:
        version_id = self.t.version.allocate()
        last_sent: datetime | None = approved
        for seat in seats:
            sent = approved + timedelta(minutes=self.rng.randint(1, 10))
            if seat.agency_id == failing:
                last_sent = None
                self._delivery(version_id, seat, None)
                continue
            revoked = self._delivery(version_id, seat, sent)
            if last_sent and not revoked:
                last_sent = max(last_sent, sent)
        self.t.version.add(
            id=version_id,
            discussion_id=discussion_id,
            number=number,
            drafted_by_id=chair,
            amendment_reason="Fictional correction." if number > 1 else "",
            created_at=approved - timedelta(hours=1),
            updated_at=approved,
            approved_at=approved,
            approved_by_id=chair,
            distributed_at=last_sent,
        )
        return last_sent

    def _delivery(self, version_id: int, seat: Seat, sent: datetime | None) -> bool:
        """One delivery with its receipt, chases and any dispute; True if revoked."""
        rng, address = self.rng, [f"minutes.{seat.agency_id}@eastmere.gov.uk"]
        values: dict[str, Any] = {"recipients": address, "attempts": 1}
        if sent is None:
            self.t.delivery.add(
                version_id=version_id,
                invitee_id=seat.invitee_id,
                agency_id=seat.agency_id,
                status=DeliveryStatus.FAILED,
                last_error=REFUSED,
                **values,
            )
            return False
        confirmed: datetime | None = sent + lognormal_hours(rng, 18, 1.1)
        if confirmed and (confirmed > self.now or rng.random() < 0.015):
            confirmed = None
        revoked = sent + timedelta(hours=3) if rng.random() < 0.002 else None
        if revoked and revoked > self.now:
            revoked = None
        stop = min(x for x in (confirmed, revoked, self.now) if x is not None)
        schedule = self._chase_schedule(sent)
        chases = [at for at in schedule if at < stop]
        escalated = len(chases) == len(schedule)
        waiting = not confirmed and not revoked and not escalated
        next_chase = schedule[len(chases)] if waiting else None
        delivery_id = self.t.delivery.add(
            version_id=version_id,
            invitee_id=seat.invitee_id,
            agency_id=seat.agency_id,
            status=DeliveryStatus.SENT,
            sent_at=sent,
            created_at=sent,
            confirmed_at=confirmed,
            confirmed_by_name="Fictional Recipient" if confirmed else "",
            confirmed_by_role="Safeguarding lead" if confirmed else "",
            chases_sent=len(chases),
            next_chase_at=next_chase,
            escalated_at=chases[-1] if escalated else None,
            revoked_at=revoked,
            revoked_reason="Sent to the wrong secure address." if revoked else "",
            **values,
        )
        for number, at in enumerate(chases, start=1):
            kind = "escalation" if number > settings.MINUTES_REMINDERS else "reminder"
            self.t.chase.add(
                delivery_id=delivery_id, number=number, kind=kind, recipients=address, sent_at=at
            )
        if confirmed and rng.random() < 0.004:
            resolved = confirmed + lognormal_hours(rng, 120, 0.8)
            self.t.dispute.add(
                delivery_id=delivery_id,
                statement="Fictional: the minutes do not record our concern.",
                raised_by_name="Fictional Recipient",
                raised_by_role="Safeguarding lead",
                raised_at=confirmed,
                resolved_at=resolved if resolved <= self.now and rng.random() > 0.03 else None,
            )
        return revoked is not None

    @staticmethod
    def _chase_schedule(sent: datetime) -> list[datetime]:
        """Reminders then the escalation, when minutes.services.lifecycle would owe them."""
        first = timedelta(hours=settings.MINUTES_FIRST_REMINDER_HOURS)
        every = timedelta(hours=settings.MINUTES_REMINDER_INTERVAL_HOURS)
        return [sent + first + every * n for n in range(settings.MINUTES_REMINDERS + 1)]
