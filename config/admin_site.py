"""The Django admin, for administrators only: anyone else signed in gets a 404."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect


class StrategyAdminSite(admin.AdminSite):
    site_header = "Strategy discussions administration"
    site_title = "Strategy discussions administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and getattr(user, "role", None) == "administrator"
        )

    def admin_view(self, view, cacheable=False):  # noqa: ANN001, ANN201
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # noqa: ANN002, ANN003
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # noqa: ANN001
        """Everyone signs in through the service's own sign-in page."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next", "/admin/"))
        if not self.has_permission(request):
            raise Http404
        return redirect("admin:index")

    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]  # noqa: ANN001, E501
        if not request.user.is_authenticated:
            return redirect_to_login("/admin/")
        return super().logout(request, extra_context)
