from django.urls import path

from minutes.views import exports, minutes, partner, receipts

app_name = "minutes"

urlpatterns = [
    path("receipt/<str:token>/", receipts.receipt, name="receipt"),
    path("discussion/<int:pk>/", minutes.minutes_workspace, name="workspace"),
    path("discussion/<int:pk>/approve/", minutes.minutes_approve, name="approve"),
    path("discussion/<int:pk>/approved/", minutes.minutes_approved, name="approved"),
    path("discussion/<int:pk>/amend/", minutes.amendment_start, name="amend"),
    path("discussion/<int:pk>/export.json", exports.discussion_export, name="export"),
    path("version/<int:pk>/", minutes.version_page, name="version"),
    path("version/<int:pk>/pdf/", minutes.version_pdf, name="version_pdf"),
    path("version/<int:pk>/pdf/try-again/", minutes.version_render_retry, name="render_retry"),
    path("delivery/<int:pk>/sent-in-error/", minutes.delivery_revoke, name="revoke"),
    path("agency/", partner.partner_minutes, name="partner"),
    path("agency/<int:pk>/confirm/", partner.partner_confirm, name="partner_confirm"),
    path("agency/<int:pk>/difference/", partner.partner_difference, name="partner_difference"),
    path("agency/actions/<int:pk>/done/", partner.partner_action_done, name="partner_action_done"),
]
