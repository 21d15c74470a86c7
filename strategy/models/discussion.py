from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from audit.triggers import AuditTrigger
from strategy.working_days import add_working_days, is_working_day


class DiscussionFormat(models.TextChoices):
    MEETING = "meeting", "Meeting in person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone calls"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    PLANNED = "planned", "Planned"
    RETROSPECTIVE = "retrospective", "Retrospective, after emergency action"


class ConcernCategory(models.TextChoices):
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    NEGLECT = "neglect", "Neglect"
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    PRE_BIRTH = "pre_birth", "Pre-birth concern"
    OTHER = "other", "Other"


def timescale_text(urgency: str) -> str:
    """How the timescale for an urgency reads: "the same working day", "3 working days"."""
    days = settings.DISCUSSION_TIMESCALE_WORKING_DAYS[urgency]
    if days == 0:
        return "the same working day"
    return f"within {days} working day{'' if days == 1 else 's'}"


class DiscussionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CLOSED = "closed", "Closed"


class DiscussionQuerySet(models.QuerySet["Discussion"]):
    def with_status(self, status: str) -> "DiscussionQuerySet":
        if status == DiscussionStatus.CLOSED:
            return self.filter(closed_at__isnull=False)
        if status == DiscussionStatus.HELD:
            return self.filter(held_at__isnull=False, closed_at__isnull=True)
        if status == DiscussionStatus.SCHEDULED:
            return self.filter(held_at__isnull=True, closed_at__isnull=True)
        return self

    def minutes_overdue(self, now: datetime | None = None) -> "DiscussionQuerySet":
        deadline = (now or timezone.now()) - timedelta(hours=settings.MINUTES_DEADLINE_HOURS)
        return self.filter(held_at__lt=deadline, minutes_distributed_at__isnull=True)

    def follow_ups_overdue(self, today: date | None = None) -> "DiscussionQuerySet":
        today = today or timezone.localdate()
        return self.filter(follow_up_due_by__lt=today, held_at__isnull=True)


class Discussion(models.Model):
    """One strategy discussion: a meeting, a video call or a round of phone calls."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    format = models.CharField(max_length=20, choices=DiscussionFormat.choices)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    scheduled_for = models.DateTimeField("Date and time")
    joining_details = models.TextField(
        blank=True, help_text="Room, video link or dial-in number and access code."
    )
    reason = models.TextField("Why the discussion is needed")
    concern_categories = models.JSONField("Categories of concern", default=list)
    referrer_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name="Referring agency",
    )
    referrer_name = models.CharField("Referrer's name and role", max_length=200, blank=True)
    immediate_action_taken = models.TextField("Immediate action already taken", blank=True)
    # Timeliness: the clock starts at the concern (or, for a retrospective discussion, the
    # emergency action) and the urgency sets how many working days it may run.
    concern_raised_at = models.DateTimeField(
        "When the concern was raised",
        null=True,
        blank=True,
        help_text="The referral, or the new information that led to this discussion.",
    )
    emergency_action_at = models.DateTimeField(
        "When the emergency action was taken", null=True, blank=True
    )
    timescale_due_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last day the discussion is within its timescale; set on save.",
    )
    delay_reason = models.TextField("Reason for the delay", blank=True)
    housing_is_factor = models.BooleanField("Housing is a factor", default=False)
    team = models.ForeignKey(
        "agencies.Team",
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name="Convening team",
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_discussions"
    )
    minute_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="minuted_discussions"
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The discussion this one follows up, in the same series.",
    )
    follow_up_due_by = models.DateField(null=True, blank=True)

    # Analysis (Signs of Safety where the area uses it)
    worries = models.TextField("What are we worried about?", blank=True)
    working_well = models.TextField("What is working well?", blank=True)
    danger_statement = models.TextField(blank=True)
    safety_goal = models.TextField(blank=True)

    contingency_plan = models.TextField(blank=True)
    shared_with_family = models.TextField("What will be shared with the family", blank=True)
    shared_with_family_on = models.DateField("When it will be shared", null=True, blank=True)
    shared_with_family_by = models.CharField("Who will share it", max_length=200, blank=True)

    held_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_distributed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When minutes first reached every invited agency.",
    )
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the retention period ended and personal details were removed.",
    )
    record_locked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when minutes are approved; changes then go through amendments.",
    )

    revision = models.PositiveIntegerField(default=1)
    # For each section of the record, the revision its last save made: the chair and the
    # minute-taker saving different sections never collide (strategy.services.records).
    section_revisions = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DiscussionQuerySet.as_manager()

    class Meta:
        triggers = [AuditTrigger(discussion="pk")]
        ordering = ["-scheduled_for"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(chair=models.F("minute_taker")),
                name="chair_is_not_minute_taker",
            ),
        ]
        indexes = [
            models.Index(fields=["scheduled_for"]),
            models.Index(
                fields=["scheduled_for"],
                condition=models.Q(closed_at__isnull=True),
                name="discussion_open_idx",
            ),
            models.Index(
                fields=["follow_up_due_by"],
                condition=models.Q(held_at__isnull=True),
                name="follow_up_not_held_idx",
            ),
            # The audit and trends select discussions by the date they were held.
            models.Index(
                fields=["held_at"],
                condition=models.Q(held_at__isnull=False),
                name="discussion_held_idx",
            ),
            models.Index(fields=["timescale_due_on"], name="discussion_timescale_idx"),
            # Discussions whose minutes are owed: what the overdue list and the deadline read.
            models.Index(
                fields=["held_at"],
                condition=models.Q(held_at__isnull=False, minutes_distributed_at__isnull=True),
                name="minutes_owed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: object, **kwargs: object) -> None:
        self.timescale_due_on = self.expected_by()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "timescale_due_on"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if self.chair_id and self.chair_id == self.minute_taker_id:
            raise ValidationError(
                {"minute_taker": "The minute-taker must be someone other than the chair"}
            )

    @property
    def timescale_starts_at(self) -> datetime | None:
        if self.urgency == Urgency.RETROSPECTIVE and self.emergency_action_at:
            return self.emergency_action_at
        return self.concern_raised_at

    def expected_by(self) -> date | None:
        """The last day this discussion is within its timescale, in working days.

        Immediate: the same working day; planned: within 3; retrospective: within 1 of the
        emergency action (settings.DISCUSSION_TIMESCALE_WORKING_DAYS). A concern raised on a
        weekend or bank holiday starts the clock on the next working day.
        """
        starts = self.timescale_starts_at
        if starts is None or not self.urgency:
            return None
        day = timezone.localdate(starts)
        while not is_working_day(day):
            day += timedelta(days=1)
        return add_working_days(day, settings.DISCUSSION_TIMESCALE_WORKING_DAYS[self.urgency])

    def is_late(self, today: date | None = None) -> bool:
        """Held after its timescale, or not yet held and past it."""
        if self.timescale_due_on is None:
            return False
        if self.held_at is not None:
            return timezone.localdate(self.held_at) > self.timescale_due_on
        return (today or timezone.localdate()) > self.timescale_due_on

    @property
    def status(self) -> str:
        if self.closed_at:
            return DiscussionStatus.CLOSED
        if self.held_at:
            return DiscussionStatus.HELD
        return DiscussionStatus.SCHEDULED

    def get_status_display(self) -> str:
        return DiscussionStatus(self.status).label

    @property
    def is_editable(self) -> bool:
        return self.record_locked_at is None and self.closed_at is None

    @property
    def follow_up_is_overdue(self) -> bool:
        return bool(
            self.follow_up_due_by
            and self.held_at is None
            and self.follow_up_due_by < timezone.localdate()
        )

    @property
    def minutes_due_by(self) -> datetime | None:
        """Minutes reach every invited agency within 24 hours of the discussion."""
        if self.held_at is None:
            return None
        return self.held_at + timedelta(hours=settings.MINUTES_DEADLINE_HOURS)

    def minutes_overdue(self, now: datetime | None = None) -> bool:
        due = self.minutes_due_by
        return bool(due and self.minutes_distributed_at is None and (now or timezone.now()) > due)

    def concern_labels(self) -> list[str]:
        return [ConcernCategory(value).label for value in self.concern_categories]

    def series(self) -> list["Discussion"]:
        """Every discussion in this one's series, first to last."""
        first = self
        while first.follows is not None:
            first = first.follows
        chain, queue = [], [first]
        while queue:
            current = queue.pop(0)
            chain.append(current)
            queue.extend(current.follow_ups.order_by("scheduled_for"))
        return chain
