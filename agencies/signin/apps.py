from django.apps import AppConfig


class SignInConfig(AppConfig):
    name = "agencies.signin"
    label = "signin"
    verbose_name = "Signing in"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from agencies.signin import sessions

        user_logged_in.connect(sessions.on_signed_in, dispatch_uid="signin.signed_in")
        user_logged_out.connect(sessions.on_signed_out, dispatch_uid="signin.signed_out")
