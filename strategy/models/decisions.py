from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.triggers import AuditTrigger


class Outcome(models.TextChoices):
    S47_SINGLE = "s47_single", "Section 47 enquiry, single-agency"
    S47_JOINT = "s47_joint", "Section 47 enquiry, joint with police"
    S17_ASSESSMENT = "s17_assessment", "Section 17 child and family assessment"
    POLICE_INVESTIGATION = "police_investigation", "Police investigation"
    MEDICAL = "medical", "Medical examination"
    ABE_INTERVIEW = "abe_interview", "Achieving Best Evidence interview"
    LEGAL_PLANNING = "legal_planning", "Legal planning"
    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"
    FURTHER_DISCUSSION = "further_discussion", "Further strategy discussion"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


S47_OUTCOMES = frozenset({Outcome.S47_SINGLE, Outcome.S47_JOINT})


class ChildDecision(models.Model):
    """The discussion's decision for one child, taken at the discussion."""

    child = models.OneToOneField(
        "strategy.Child", on_delete=models.CASCADE, related_name="decision"
    )
    threshold_met = models.BooleanField(
        "Is there reasonable cause to suspect the child is suffering, or is likely to "
        "suffer, significant harm?"
    )
    rationale = models.TextField("Why the threshold is or is not met")
    outcomes = models.JSONField(default=list)
    no_s47_rationale = models.TextField(
        "Why there will be no section 47 enquiry although the threshold is met", blank=True
    )
    further_discussion_on = models.DateField(null=True, blank=True)
    conference_due_by = models.DateField(
        "Initial child protection conference due by", null=True, blank=True
    )
    # Recorded after the discussion, by its chair or a manager: the conference leaves the
    # dashboard's list of conferences due.
    conference_held_on = models.DateField(
        "Initial child protection conference held on", null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        triggers = [AuditTrigger(discussion="child__discussion")]
        indexes = [
            # The dashboard's conferences due: only those still to be held are read.
            models.Index(
                fields=["conference_due_by"],
                condition=models.Q(
                    conference_due_by__isnull=False, conference_held_on__isnull=True
                ),
                name="conference_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision for {self.child}"

    @property
    def conference_is_due(self) -> bool:
        return self.conference_due_by is not None and self.conference_held_on is None

    @property
    def starts_s47(self) -> bool:
        return bool(S47_OUTCOMES.intersection(self.outcomes))

    def outcome_labels(self) -> list[str]:
        return [Outcome(value).label for value in self.outcomes]


class Position(models.TextChoices):
    AGREES = "agrees", "Agrees"
    DISAGREES = "disagrees", "Disagrees"
    ABSTAINS = "abstains", "Abstains"


class AgencyPosition(models.Model):
    """One attending agency's agreement or disagreement with a child's decision."""

    decision = models.ForeignKey(ChildDecision, on_delete=models.CASCADE, related_name="positions")
    invitee = models.ForeignKey("strategy.Invitee", on_delete=models.CASCADE, related_name="+")
    position = models.CharField(max_length=20, choices=Position.choices)
    reason = models.TextField(blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="decision__child__discussion")]
        ordering = ["invitee__agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "invitee"], name="one_position_each"),
            models.CheckConstraint(
                condition=~models.Q(position="disagrees") | ~models.Q(reason=""),
                name="disagreement_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitee.agency}: {self.get_position_display()}"


class DifferenceAbout(models.TextChoices):
    DECISION = "decision", "A decision"
    ACTION = "action", "An action"
    MINUTES = "minutes", "The minutes"
    OTHER = "other", "Something else about the discussion"


class RaisedVia(models.TextChoices):
    CHAIR = "chair", "The chair, on the agency's behalf"
    PARTNER = "partner", "A partner agency user"
    RECEIPT_LINK = "receipt_link", "The minutes' receipt page"


FINAL_STAGE = 4


def stage_owner(stage: int) -> str:
    """Who holds the difference at a stage (Resolving Professional Differences protocol)."""
    return str(settings.RPD_STAGE_OWNERS[stage - 1])


class ProfessionalDifference(models.Model):
    """A Resolving Professional Differences record: raised by any agency, at stages 1 to 4.

    The stage and its due date live here, where the escalation sweep reads them through a
    partial index; each stage's history (what was agreed, and when) is a DifferenceStage.
    """

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="professional_differences"
    )
    position = models.ForeignKey(
        AgencyPosition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage = models.PositiveSmallIntegerField(default=1)
    stage_due_on = models.DateField(
        "Current stage due by",
        null=True,
        blank=True,
        help_text="Past this day without a resolution, the difference goes to the next stage.",
    )
    raised_by = models.CharField("Who raised it", max_length=200)
    raising_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_with = models.CharField("With whom", max_length=200)
    with_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about = models.CharField(
        "What it is about",
        max_length=20,
        choices=DifferenceAbout.choices,
        default=DifferenceAbout.DECISION,
    )
    raised_via = models.CharField(max_length=20, choices=RaisedVia.choices, default=RaisedVia.CHAIR)
    raised_on = models.DateField("When")
    issue = models.TextField("The issue")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField("Outcome", blank=True)
    minutes_must_change = models.BooleanField(
        "The minutes must be amended to show the outcome", default=False
    )
    resolved_by = models.CharField(max_length=200, blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["opened_at"]
        indexes = [
            models.Index(
                fields=["raised_on"],
                condition=models.Q(resolved_at__isnull=True),
                name="difference_open_idx",
            ),
            # What the escalation sweep reads: open differences by the day their stage ends.
            models.Index(
                fields=["stage_due_on"],
                condition=models.Q(resolved_at__isnull=True),
                name="difference_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__gte=1, stage__lte=FINAL_STAGE), name="stage_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Professional difference (stage {self.stage}) raised by {self.raised_by}"

    @property
    def owner(self) -> str:
        return stage_owner(self.stage)

    def is_past_timescale(self, today: date | None = None) -> bool:
        return bool(
            self.resolved_at is None
            and self.stage_due_on
            and self.stage_due_on < (today or timezone.localdate())
        )

    @property
    def can_escalate(self) -> bool:
        return self.resolved_at is None and self.stage < FINAL_STAGE


class StageEnd(models.TextChoices):
    TIMESCALE_PASSED = "timescale_passed", "Its timescale passed without a resolution"
    REQUESTED = "requested", "Escalation was requested"
    RESOLVED = "resolved", "Resolved"


class DifferenceStage(models.Model):
    """One stage of a difference: who held it, by when, and what was agreed or not."""

    difference = models.ForeignKey(
        ProfessionalDifference, on_delete=models.CASCADE, related_name="stages"
    )
    stage = models.PositiveSmallIntegerField()
    owner = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    due_on = models.DateField()
    agreed = models.BooleanField("Was it agreed?", null=True, blank=True)
    agreement = models.TextField("What was agreed, or not", blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_because = models.CharField(max_length=20, choices=StageEnd.choices, blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="difference__discussion")]
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["difference", "stage"], name="one_row_per_stage"),
        ]

    def __str__(self) -> str:
        return f"Stage {self.stage}: {self.owner}"
