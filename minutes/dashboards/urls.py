from django.urls import path

from minutes.dashboards import outgoing, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("audit/", views.audit_page, name="audit"),
    path("audit/figures.csv", views.audit_csv, name="audit_csv"),
    path("audit/agencies.csv", views.agencies_csv, name="agencies_csv"),
    path("trends/", views.trends_page, name="trends"),
    path("trends/trends.csv", views.trends_csv, name="trends_csv"),
    path("outgoing/", outgoing.outgoing_messages, name="outgoing"),
    path("outgoing/send-again/", outgoing.outgoing_retry, name="outgoing_retry"),
    path("<slug:slug>/", views.list_page, name="list"),
    path("<slug:slug>/download.csv", views.list_csv, name="list_csv"),
]
