from django.db import models
from django.utils import timezone


class MonthlySummary(models.Model):
    """One team's trend figures for one settled month, so the trends read 12 rows a team
    instead of scanning a year of discussions (minutes.dashboards.trends).

    A month is settled once every minutes deadline and receipt window in it has passed
    (trends.SETTLED_AFTER after it ends); until then its figures are counted live. Beat
    rebuilds the settled months of the last year every night (minutes.tasks.trends_rebuild),
    so a late change to an old month shows by the next morning."""

    team = models.ForeignKey("agencies.Team", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    discussions = models.PositiveIntegerField(default=0)
    partners_attended = models.PositiveIntegerField(default=0)
    gp_known = models.PositiveIntegerField(default=0)
    gp_invited = models.PositiveIntegerField(default=0)
    minutes_due = models.PositiveIntegerField(default=0)
    minutes_on_time = models.PositiveIntegerField(default=0)
    receipts_due = models.PositiveIntegerField(default=0)
    receipts_on_time = models.PositiveIntegerField(default=0)
    rebuilt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="one_summary_per_team_month")
        ]
        indexes = [models.Index(fields=["month"], name="summary_month_idx")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m}"
