"""Role checks for views. Anyone without the role gets a 404, never a hint."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from agencies.models import User

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_role(*roles):  # type: ignore[union-attr]
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def current_user(request: HttpRequest) -> User:
    """The signed-in user; views behind role_required never see an anonymous one."""
    user = request.user
    assert isinstance(user, User)
    return user
