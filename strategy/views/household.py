from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.access import current_user
from strategy import selectors
from strategy.forms.household import AdultForm, ChildForm
from strategy.models import Adult, Child
from strategy.services import household
from strategy.services.records import EditConflict, RecordLocked
from strategy.views.discussions import recorders
from strategy.views.editing import edit_page

PersonForm = type[ChildForm] | type[AdultForm]


def _person_edit(
    request: HttpRequest,
    pk: int,
    person_pk: int | None,
    *,
    model: type[Child] | type[Adult],
    form_class: PersonForm,
    kind: str,
    anchor: str,
    saved: str,
    another: tuple[str, str],
) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    person = get_object_or_404(model, pk=person_pk, discussion=discussion) if person_pk else None

    def saved_copy(*_: object) -> Child | Adult | None:
        return model.objects.filter(pk=person.pk).first() if person else None

    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: form_class(data, revision=rev, instance=saved_copy()),
        save=lambda form: household.person_save(
            discussion=discussion,
            person=form.save(commit=False),
            expected_revision=form.cleaned_data["revision"],
        ),
        compare_with=saved_copy,
        template="strategy/person_form.html",
        done=reverse("strategy:detail", args=[pk]) + f"#{anchor}",
        done_message=saved,
        context={"person": person, "kind": kind},
        add_another=None if person else (reverse(another[0], args=[pk]), another[1]),
    )


@recorders
def child_edit(request: HttpRequest, pk: int, child_pk: int | None = None) -> HttpResponse:
    return _person_edit(
        request,
        pk,
        child_pk,
        model=Child,
        form_class=ChildForm,
        kind="child",
        anchor="children",
        saved="Child saved",
        another=("strategy:child_add", "Save and add another child"),
    )


@recorders
def adult_edit(request: HttpRequest, pk: int, adult_pk: int | None = None) -> HttpResponse:
    return _person_edit(
        request,
        pk,
        adult_pk,
        model=Adult,
        form_class=AdultForm,
        kind="adult",
        anchor="household",
        saved="Household member saved",
        another=("strategy:adult_add", "Save and add another person"),
    )


@recorders
@require_POST
def person_remove(request: HttpRequest, pk: int, kind: str, person_pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    person: Child | Adult
    if kind == "child":
        person = get_object_or_404(Child, pk=person_pk, discussion=discussion)
    elif kind == "adult":
        person = get_object_or_404(Adult, pk=person_pk, discussion=discussion)
    else:
        raise Http404
    try:
        household.person_remove(
            discussion=discussion,
            person=person,
            expected_revision=int(request.POST.get("revision", 0)),
        )
    except (EditConflict, RecordLocked):
        messages.error(request, "Someone else changed the discussion: check it and try again.")
    else:
        messages.success(request, f"{person} removed")
    return redirect("strategy:summary", pk=pk)
