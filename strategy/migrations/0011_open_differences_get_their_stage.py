"""Differences opened before stages were recorded get their current stage's row and due
date, counted from the day they were raised, so the sweep and the dashboards see them."""

from django.conf import settings
from django.db import migrations

from strategy.working_days import add_working_days, is_working_day


def _due(stage: int, raised_on):  # noqa: ANN001, ANN202
    day = raised_on
    while not is_working_day(day):
        day = day.fromordinal(day.toordinal() + 1)
    return add_working_days(day, settings.RPD_STAGE_WORKING_DAYS[stage - 1])


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    ProfessionalDifference = apps.get_model("strategy", "ProfessionalDifference")
    DifferenceStage = apps.get_model("strategy", "DifferenceStage")
    for difference in ProfessionalDifference.objects.filter(stages__isnull=True):
        due = _due(difference.stage, difference.raised_on)
        if difference.stage_due_on is None:
            difference.stage_due_on = due
            difference.save(update_fields=["stage_due_on"])
        DifferenceStage.objects.create(
            difference=difference,
            stage=difference.stage,
            owner=settings.RPD_STAGE_OWNERS[difference.stage - 1],
            started_at=difference.opened_at,
            due_on=difference.stage_due_on,
            ended_at=difference.resolved_at,
            ended_because="resolved" if difference.resolved_at else "",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0010_professional_differences_stages"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
