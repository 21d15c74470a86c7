"""Included at /oidc/ only when OIDC_ENABLED (config/urls.py); the views also answer 404
when it is off. The names are mozilla-django-oidc's own, which it reverses."""

from django.urls import path

from agencies.signin import single_sign_on_views as views

urlpatterns = [
    path(
        "authenticate/", views.OrganisationAccountStart.as_view(), name="oidc_authentication_init"
    ),
    path(
        "callback/",
        views.OrganisationAccountCallback.as_view(),
        name="oidc_authentication_callback",
    ),
]
