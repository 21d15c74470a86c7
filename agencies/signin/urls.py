from django.urls import path

from agencies.signin import views

app_name = "signin"

urlpatterns = [
    path("sign-in/code/", views.code, name="code"),
    path("sign-in/set-up/", views.set_up, name="setup"),
    path("sign-in/backup-codes/", views.backup_codes, name="backup_codes"),
    path("sign-in/keep-alive/", views.keep_alive, name="keep_alive"),
    path("account/", views.account, name="account"),
    path("account/confirm/", views.reauthenticate, name="reauthenticate"),
    path("account/email/", views.email, name="email"),
    path("account/backup-codes/", views.backup_codes_renew, name="backup_codes_renew"),
]
