"""The service's URLs as they are with OIDC_ENABLED (config/urls.py adds /oidc/ at start-up)."""

from django.urls import include, path

from config.urls import urlpatterns as service

urlpatterns = [*service, path("oidc/", include("agencies.signin.single_sign_on_urls"))]
