from django.urls import path

from minutes.dashboards import case_audit_questions, case_audits, decisions, outgoing, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("audit/", views.audit_page, name="audit"),
    path("audit/figures.csv", views.audit_csv, name="audit_csv"),
    path("audit/agencies.csv", views.agencies_csv, name="agencies_csv"),
    path("trends/", views.trends_page, name="trends"),
    path("trends/trends.csv", views.trends_csv, name="trends_csv"),
    path("case-audits/", case_audits.case_audits, name="case_audits"),
    path("case-audits/<int:pk>/", case_audits.case_audit_page, name="case_audit"),
    path(
        "case-audits/questions/",
        case_audit_questions.case_audit_questions,
        name="case_audit_questions",
    ),
    path("case-audits/<int:pk>/report.csv", case_audits.case_audit_csv, name="case_audit_csv"),
    path(
        "case-audits/<int:pk>/letters/", case_audits.case_audit_letters, name="case_audit_letters"
    ),
    path(
        "case-audits/<int:pk>/report.pdf",
        case_audits.case_audit_pdf_download,
        name="case_audit_pdf",
    ),
    path(
        "case-audits/<int:pk>/discussions/<int:item_pk>/",
        case_audits.case_audit_item,
        name="case_audit_item",
    ),
    path("decisions/", decisions.decisions_page, name="decisions"),
    path("decisions/decisions.csv", decisions.decisions_csv, name="decisions_csv"),
    path("outgoing/", outgoing.outgoing_messages, name="outgoing"),
    path("outgoing/send-again/", outgoing.outgoing_retry, name="outgoing_retry"),
    path("<slug:slug>/", views.list_page, name="list"),
    path("<slug:slug>/download.csv", views.list_csv, name="list_csv"),
]
