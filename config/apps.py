from django.contrib.admin.apps import AdminConfig


class StrategyAdminConfig(AdminConfig):
    """The Django admin, on a site that only administrators reach."""

    default_site = "config.admin_site.StrategyAdminSite"
