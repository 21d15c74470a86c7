from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from agencies.signin.views import SignInView, SignOutView
from config import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", SignOutView.as_view(), name="logout"),
    path("", include("agencies.signin.urls")),
    path("agencies/", include("agencies.urls")),
    path("discussions/", include("strategy.urls")),
    path("minutes/", include("minutes.urls")),
    path("dashboards/", include("minutes.dashboards.urls")),
    path("outbox/", include("outbox.urls")),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("health/detail/", health.health_detail, name="health_detail"),
    path("metrics", health.metrics, name="metrics"),
]
# Single sign-on for staff (docs/single-sign-on.md): absent unless OIDC_ENABLED.
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("agencies.signin.single_sign_on_urls")))
