from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class StrategyAdminConfig(AdminConfig):
    """The Django admin, on a site that only administrators reach."""

    default_site = "config.admin_site.StrategyAdminSite"


# Human labels in the admin, in place of the packages' own (AXES, OTP_STATIC, OTP_TOTP).
class SignInLockoutsConfig(AxesAppConfig):
    verbose_name = "Failed sign-ins and lockouts"


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = "Authenticator apps (second factor)"


class BackupCodesConfig(StaticConfig):
    verbose_name = "Backup codes (second factor)"
