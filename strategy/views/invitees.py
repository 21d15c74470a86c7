from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from agencies.access import current_user
from strategy import selectors
from strategy.forms.invitees import InviteesForm
from strategy.services import invitees
from strategy.views.discussions import recorders
from strategy.views.editing import edit_page


@recorders
def invitees_edit(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    proposals = invitees.propose_invitees(discussion)
    requirements = invitees.requirements_for(discussion)

    def make_form(data, revision):  # noqa: ANN001, ANN202
        exceptions = {e.requirement: e.reason for e in discussion.invitation_exceptions.all()}
        return InviteesForm(
            data,
            revision=revision,
            discussion=discussion,
            proposals=proposals,
            requirements=requirements,
            initial={f"reason_{key}": reason for key, reason in exceptions.items()},
        )

    def save(form: InviteesForm) -> None:
        try:
            invitees.invitees_confirm(
                discussion=discussion,
                expected_revision=form.cleaned_data["revision"],
                agencies=form.selected_agencies(),
                reasons=form.reasons(),
                why=form.why(),
                recorded_by=current_user(request),
            )
        except invitees.MissingReasons as missing:
            raise ValidationError(
                {
                    f"reason_{r.key}": f"Give a reason for not inviting {r.description}"
                    for r in missing.requirements
                }
            ) from missing

    return edit_page(
        request,
        discussion=discussion,
        make_form=make_form,
        save=save,
        template="strategy/invitees_form.html",
        done=reverse("strategy:detail", args=[pk]) + "#invitees",
        done_message="Invite list saved. Newly invited agencies are sent an invitation, and an "
        "agency taken off the list after its invitation went is sent a cancellation.",
        context={"proposals": proposals},
    )
