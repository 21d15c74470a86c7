"""One way for every page that changes a discussion: validate, call the service, and turn
a conflict or a broken rule into a message on the same page with what was typed kept."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.access import current_user
from strategy.check_answers import back_url
from strategy.forms.base import errors_onto
from strategy.models import Discussion, FormDraft
from strategy.services.records import EditConflict, RecordLocked
from strategy.task_list import next_section

CONFLICT_MESSAGE = (
    "Someone else saved this discussion while you were working on it. Nothing of yours was "
    "saved yet: check what changed below, then save again to keep your version."
)


def _comparable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def changes_since(form: forms.Form, saved: Any) -> list[tuple[str, str, str]]:
    """(label, saved value, your value) for each field where the saved record differs."""
    rows = []
    for name, field in form.fields.items():
        if name == "revision" or not hasattr(saved, name):
            continue
        yours = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        ours = getattr(saved, name)
        if _comparable(ours) != _comparable(yours):
            rows.append((str(field.label), _comparable(ours), _comparable(yours)))
    return rows


def edit_page(
    request: HttpRequest,
    *,
    discussion: Discussion,
    make_form: Callable[[Any, int], forms.Form],
    save: Callable[[Any], Any],
    template: str,
    done: str,
    done_message: str | Callable[[Any], str],
    compare_with: Callable[[Discussion], Any] | None = None,
    context: dict[str, Any] | None = None,
    offer_next: bool = True,
    add_another: tuple[str | Callable[[], str], str] | None = None,
) -> HttpResponse:
    """Saves one section. The page's own button returns to the task list (done); "Save and
    continue" goes on to the next section of the call that can be started.

    add_another is a second button (its label) and where it goes: a URL, or a callable that
    finds it from the record as the save left it."""
    if not discussion.is_editable:
        messages.error(
            request, "This discussion's record is locked: minutes are approved or it is closed."
        )
        return redirect("strategy:detail", pk=discussion.pk)
    # Opened from a check page (?back=final): saving returns there, not to the task list.
    done = back_url(request.GET.get("back"), discussion.pk) or done
    form = make_form(request.POST if request.method == "POST" else None, discussion.revision)
    extra: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except EditConflict as conflict:
            data = request.POST.copy()
            data["revision"] = str(conflict.current.revision)
            form = make_form(data, conflict.current.revision)
            form.is_valid()
            form.add_error(None, CONFLICT_MESSAGE)
            saved = (compare_with or (lambda d: d))(conflict.current)
            extra["conflict_changes"] = changes_since(form, saved)
        except RecordLocked:
            messages.error(request, "This discussion's record is locked.")
            return redirect("strategy:detail", pk=discussion.pk)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            # The page after the save tells the browser to drop its draft of this form, and
            # the copy kept on the server goes.
            FormDraft.objects.filter(user=current_user(request), path=request.path).delete()
            said = done_message(form) if callable(done_message) else done_message
            messages.success(request, said, extra_tags=f"draft-saved {request.path}")
            if add_another and "another" in request.POST:
                target = add_another[0]
                return redirect(target() if callable(target) else target)
            if offer_next and "continue" in request.POST and "back" not in request.GET:
                saved = Discussion.objects.get(pk=discussion.pk)
                return redirect(next_section(saved, request.path) or done)
            return redirect(done)
    return render(
        request,
        template,
        {
            "discussion": discussion,
            "form": form,
            "offer_next": offer_next
            and "back" not in request.GET
            and next_section(discussion, request.path) is not None,
            "add_another": add_another[1] if add_another else "",
            **extra,
            **(context or {}),
        },
    )
