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


@recorders
def child_edit(request: HttpRequest, pk: int, child_pk: int | None = None) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    child = get_object_or_404(Child, pk=child_pk, discussion=discussion) if child_pk else None
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: ChildForm(
            data, revision=rev, instance=Child.objects.get(pk=child.pk) if child else None
        ),
        save=lambda form: household.child_save(
            discussion=discussion,
            child=form.save(commit=False),
            expected_revision=form.cleaned_data["revision"],
        ),
        compare_with=lambda d: Child.objects.filter(pk=child.pk).first() if child else None,
        template="strategy/person_form.html",
        done=reverse("strategy:detail", args=[pk]) + "#children",
        done_message="Child saved",
        context={"person": child, "kind": "child"},
    )


@recorders
def adult_edit(request: HttpRequest, pk: int, adult_pk: int | None = None) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    adult = get_object_or_404(Adult, pk=adult_pk, discussion=discussion) if adult_pk else None
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: AdultForm(
            data, revision=rev, instance=Adult.objects.get(pk=adult.pk) if adult else None
        ),
        save=lambda form: household.adult_save(
            discussion=discussion,
            adult=form.save(commit=False),
            expected_revision=form.cleaned_data["revision"],
        ),
        compare_with=lambda d: Adult.objects.filter(pk=adult.pk).first() if adult else None,
        template="strategy/person_form.html",
        done=reverse("strategy:detail", args=[pk]) + "#household",
        done_message="Household member saved",
        context={"person": adult, "kind": "adult"},
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
    return redirect("strategy:detail", pk=pk)
