"""Version 1 of the case audit's questions, after the partnership's audit of ten strategy
discussions (seeds/000). Administrators revise them as a new version."""

from django.db import migrations

QUESTIONS = [
    ("The decision to hold the strategy discussion was correct", ""),
    ("The timescale was appropriate", "timescale"),
    ("Appropriate case information was shared", "information"),
    ("Police, health and children's social care took part", "statutory_partners"),
    ("Housing was involved where housing was relevant", "housing"),
    ("GPs were involved and sent the minutes", "gps"),
    ("The discussion concluded with clear plans and timescales", "plans"),
]


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    AuditQuestionSet = apps.get_model("minutes", "AuditQuestionSet")
    AuditQuestion = apps.get_model("minutes", "AuditQuestion")
    if AuditQuestionSet.objects.exists():
        return
    first = AuditQuestionSet.objects.create(version=1)
    for number, (text, computed) in enumerate(QUESTIONS, start=1):
        AuditQuestion.objects.create(
            question_set=first, number=number, text=text, computed=computed
        )


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0008_case_audit"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
