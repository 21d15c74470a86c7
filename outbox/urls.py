from django.urls import path

from outbox import notify

app_name = "outbox"

urlpatterns = [
    path("notify/receipts/", notify.delivery_receipt, name="notify_receipts"),
]
