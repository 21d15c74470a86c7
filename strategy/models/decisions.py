from django.conf import settings
from django.db import models

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


class ProfessionalDifference(models.Model):
    """A Resolving Professional Differences record, opened at stage 1."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="professional_differences"
    )
    position = models.ForeignKey(
        AgencyPosition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage = models.PositiveSmallIntegerField(default=1)
    raised_by = models.CharField("Who raised it", max_length=200)
    raised_with = models.CharField("With whom", max_length=200)
    raised_on = models.DateField("When")
    issue = models.TextField("The issue")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["opened_at"]
        indexes = [
            models.Index(
                fields=["raised_on"],
                condition=models.Q(resolved_at__isnull=True),
                name="difference_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Professional difference (stage {self.stage}) raised by {self.raised_by}"
