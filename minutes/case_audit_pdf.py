"""The case audit report as a PDF, printed the way the minutes are (minutes.pdf): the same
renderer, which fetches nothing but the print stylesheets under static/minutes/.

The report names discussions by reference only, and its title names the audit, so the
document's metadata never carries a child's name."""

from dataclasses import dataclass

from django.template.loader import render_to_string

from minutes.case_audit import COMPUTED_LABELS, CaseAuditReport, ReportLine
from minutes.pdf import render_minutes_pdf


@dataclass
class FigureLine:
    """One question's answers beside what the record computes for it."""

    line: ReportLine
    label: str

    @property
    def computed_total(self) -> int:
        return self.line.computed_met + self.line.computed_not_met


def case_audit_html(report: CaseAuditReport) -> str:
    figures = [
        FigureLine(line=line, label=COMPUTED_LABELS.get(line.question.computed, ""))
        for line in report.lines
    ]
    return render_to_string(
        "dashboards/case_audit_document.html",
        {
            "audit": report.audit,
            "report": report,
            "figures": figures,
            "sampled": len(report.rows),
            "graded": sum(report.grades.values()),
        },
    )


def case_audit_pdf(report: CaseAuditReport) -> bytes:
    return render_minutes_pdf(case_audit_html(report))


def case_audit_pdf_filename(report: CaseAuditReport) -> str:
    audit = report.audit
    return f"case-audit-{audit.pk}-{audit.period_start:%Y-%m-%d}-to-{audit.period_end:%Y-%m-%d}.pdf"
