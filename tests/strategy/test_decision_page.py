"""A child's decision and every attending agency's position on it: one page, one submission.

Both are saved together or not at all; positions shown from an earlier decision are never
saved as given on a changed one. Chris chairs, Mina takes the minutes, Nadia chairs other
discussions. Every person and agency is fictional."""

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy.models import AgencyPosition, Child, ChildDecision, FormDraft, Invitee
from strategy.services.decisions import decision_record
from strategy.services.scheduling import discussion_schedule
from tests.strategy.test_decisions import attend

ATTENDING = (
    "Eastmere Constabulary",
    "Eastmere Children's Social Care",
    "Eastmere General Hospital",
)


@pytest.fixture
def attended(discussion, county):
    """Police, social care and the hospital attend; the GP practice sends apologies."""
    for key in ("police", "social_care", "hospital", "gp_child"):
        Invitee.objects.create(discussion=discussion, agency=county[key])
    attend(discussion, *ATTENDING)
    discussion.refresh_from_db()
    return discussion


def decision_url(discussion, child):
    return reverse("strategy:decision", args=[discussion.pk, child.pk])


def typed(discussion, **fields):
    """The decision as a chair types it: threshold met, a joint section 47 enquiry."""
    discussion.refresh_from_db()
    return {
        "revision": discussion.revision,
        "threshold_met": "yes",
        "rationale": "Fictional: unexplained bruising and domestic abuse in the household.",
        "outcomes": ["s47_joint"],
        **fields,
    }


def invitee(discussion, name):
    return discussion.invitees.get(agency__name=name)


def positions_of(child):
    return dict(
        AgencyPosition.objects.filter(decision__child=child).values_list(
            "invitee__agency__name", "position"
        )
    )


def test_the_decision_and_every_position_are_saved_in_one_submission(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    baby = attended.children.get(first_name="Baby")
    client = client_for(chair)
    page = client.get(decision_url(attended, ada)).text
    assert "Each attending agency's position on this decision" in page
    assert ">Save decision and positions" in page
    assert "Every attending agency agrees, apart from those marked otherwise below" in page
    police = invitee(attended, "Eastmere Constabulary")
    saved = client.post(
        decision_url(attended, ada),
        typed(
            attended,
            all_agree="on",
            **{
                f"position_{police.pk}": "disagrees",
                f"reason_{police.pk}_disagrees": "Fictional: a single-agency enquiry first.",
                "continue": "1",
            },
        ),
    )
    # "Save and continue": the next child's decision, then the next section.
    assert saved["Location"] == decision_url(attended, baby)
    decision = ChildDecision.objects.get(child=ada)
    assert decision.outcomes == ["s47_joint"]
    assert positions_of(ada) == {
        "Eastmere Constabulary": "disagrees",
        "Eastmere Children's Social Care": "agrees",
        "Eastmere General Hospital": "agrees",
    }
    assert AgencyPosition.objects.get(invitee=police).decision == decision
    nothing_for_the_gp = AgencyPosition.objects.filter(invitee__agency__name__contains="Riverside")
    assert not nothing_for_the_gp.exists()

    followed = client.post(
        decision_url(attended, baby),
        typed(attended, all_agree="on", **{"continue": "1"}),
        follow=True,
    )
    assert followed.redirect_chain[0][0] == reverse("strategy:action_add", args=[attended.pk])
    assert "Decision for Baby Testcase and each agency&#x27;s position on it saved" in (
        followed.text
    )


def test_bad_input_saves_neither_the_decision_nor_any_position(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    response = client_for(chair).post(
        decision_url(attended, ada), typed(attended, rationale="  ", all_agree="on")
    )
    assert response.status_code == 200
    assert "Give the rationale for the decision" in response.text
    assert 'href="#id_rationale"' in response.text  # the error links to its field
    assert not ChildDecision.objects.exists()
    assert not AgencyPosition.objects.exists()


def test_a_missing_reason_saves_neither_the_decision_nor_any_position(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    police = invitee(attended, "Eastmere Constabulary")
    response = client_for(chair).post(
        decision_url(attended, ada),
        typed(attended, all_agree="on", **{f"position_{police.pk}": "abstains"}),
    )
    assert response.status_code == 200
    assert f'href="#id_reason_{police.pk}_abstains"' in response.text
    assert "Give the reason Eastmere Constabulary abstains" in response.text
    assert not ChildDecision.objects.exists()
    assert not AgencyPosition.objects.exists()


def test_the_decision_can_be_saved_before_any_position_is_given(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    client = client_for(chair)
    saved = client.post(decision_url(attended, ada), typed(attended), follow=True)
    assert "Decision for Ada Testcase saved" in saved.text
    assert ChildDecision.objects.filter(child=ada).exists()
    assert not AgencyPosition.objects.exists()
    assert "No position yet from" in saved.text  # the task list says what is missing


def test_before_attendance_the_page_is_the_decision_alone(discussion, chair, client_for):
    ada = discussion.children.get(first_name="Ada")
    client = client_for(chair)
    page = client.get(decision_url(discussion, ada)).text
    assert "is given here once attendance is recorded" in page
    assert "all_agree" not in page
    assert ">Save decision" in page
    assert client.post(decision_url(discussion, ada), typed(discussion)).status_code == 302
    assert ChildDecision.objects.filter(child=ada).exists()


def test_changing_the_decision_on_the_page_asks_for_every_position_again(
    attended, chair, client_for
):
    """The practice review: positions given on one decision never stand for another."""
    ada = attended.children.get(first_name="Ada")
    client = client_for(chair)
    client.post(decision_url(attended, ada), typed(attended, all_agree="on"))
    assert set(positions_of(ada).values()) == {"agrees"}

    page = client.get(decision_url(attended, ada))
    form = page.context["form"]
    police = invitee(attended, "Eastmere Constabulary")
    assert form[f"position_{police.pk}"].value() == "agrees"  # given on this decision
    given_on = form["positions_given_on"].value()
    assert given_on

    # The chair changes the outcome; the page still shows every agency agreeing.
    shown = {f"position_{i.pk}": "agrees" for i in attended.invitees.filter(attendance="attended")}
    changed = {"outcomes": ["s47_single"], "positions_given_on": given_on, **shown}
    refused = client.post(decision_url(attended, ada), typed(attended, **changed))
    assert refused.status_code == 200
    assert "You changed the decision, so the positions shown were given on the earlier" in (
        refused.text
    )
    assert "On the earlier decision: Agrees" in refused.text
    again = refused.context["form"]
    assert again[f"position_{police.pk}"].value() is None  # to be given again
    assert ChildDecision.objects.get(child=ada).outcomes == ["s47_joint"]  # nothing saved
    assert len(positions_of(ada)) == 3

    # Given again, on the decision as it now stands: both are saved.
    resubmitted = {
        "outcomes": ["s47_single"],
        "positions_given_on": again["positions_given_on"].value(),
        "all_agree": "on",
    }
    assert client.post(decision_url(attended, ada), typed(attended, **resubmitted)).status_code
    decision = ChildDecision.objects.get(child=ada)
    assert decision.outcomes == ["s47_single"]
    assert set(positions_of(ada).values()) == {"agrees"}
    assert len(positions_of(ada)) == 3


def test_a_changed_decision_saved_alone_withdraws_the_earlier_positions(
    attended, chair, client_for
):
    ada = attended.children.get(first_name="Ada")
    client = client_for(chair)
    client.post(decision_url(attended, ada), typed(attended, all_agree="on"))
    given_on = client.get(decision_url(attended, ada)).context["form"]["positions_given_on"]
    changed = {"outcomes": ["s47_single"], "positions_given_on": given_on.value()}
    assert client.post(decision_url(attended, ada), typed(attended, **changed)).status_code == 302
    assert ChildDecision.objects.get(child=ada).outcomes == ["s47_single"]
    assert positions_of(ada) == {}
    page = client.get(reverse("strategy:final", args=[attended.pk])).text
    assert "Record the position of Eastmere Constabulary on the decision for Ada Testcase" in page


def test_rewording_the_rationale_keeps_the_positions(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    client = client_for(chair)
    police = invitee(attended, "Eastmere Constabulary")
    client.post(
        decision_url(attended, ada),
        typed(
            attended,
            all_agree="on",
            **{
                f"position_{police.pk}": "disagrees",
                f"reason_{police.pk}_disagrees": "Fictional: the police want a joint visit.",
            },
        ),
    )
    form = client.get(decision_url(attended, ada)).context["form"]
    as_shown = {name: form[name].value() for name in form.fields if name.startswith("position")}
    as_shown[f"reason_{police.pk}_disagrees"] = form[f"reason_{police.pk}_disagrees"].value()
    reworded = typed(
        attended,
        rationale="Fictional: bruising; the account keeps changing.",
        **as_shown,
    )
    assert client.post(decision_url(attended, ada), reworded).status_code == 302
    assert ChildDecision.objects.get(child=ada).rationale.startswith("Fictional: bruising")
    assert positions_of(ada)["Eastmere Constabulary"] == "disagrees"


def test_a_save_by_someone_else_since_the_page_opened_is_caught(
    attended, chair, minute_taker, client_for
):
    ada = attended.children.get(first_name="Ada")
    opened_at = typed(attended)["revision"]
    mina = client_for(minute_taker)
    assert mina.post(decision_url(attended, ada), typed(attended, all_agree="on")).status_code
    police = invitee(attended, "Eastmere Constabulary")
    stale = typed(
        attended,
        revision=opened_at,
        rationale="Fictional: Chris's wording.",
        **{
            "all_agree": "on",
            f"position_{police.pk}": "abstains",
            f"reason_{police.pk}_abstains": "Fictional: not enough known yet.",
        },
    )
    response = client_for(chair).post(decision_url(attended, ada), stale)
    assert response.status_code == 200
    assert "Someone else saved this discussion while you were working on it" in response.text
    assert ChildDecision.objects.get(child=ada).rationale.startswith("Fictional: unexplained")
    assert set(positions_of(ada).values()) == {"agrees"}


def test_the_server_side_draft_of_the_page_goes_once_it_is_saved(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    url = decision_url(attended, ada)
    FormDraft.objects.create(
        user=chair, discussion=attended, path=url, values={"rationale": "Fictional: half-typed"}
    )
    client_for(chair).post(url, typed(attended, all_agree="on"))
    assert not FormDraft.objects.filter(path=url).exists()


def test_the_old_positions_address_leads_to_the_decision_page(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    old = reverse("strategy:positions", args=[attended.pk, ada.pk])
    client = client_for(chair)
    assert client.get(old)["Location"] == decision_url(attended, ada) + "#positions"
    came_from_check = client.get(old + "?back=final")["Location"]
    assert came_from_check == decision_url(attended, ada) + "?back=final#positions"


def test_the_check_page_changes_positions_on_the_decision_page(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    client_for(chair).post(decision_url(attended, ada), typed(attended))
    page = client_for(chair).get(reverse("strategy:final", args=[attended.pk])).text
    assert decision_url(attended, ada) + "?back=final#positions" in page


def test_another_discussions_child_is_not_found(
    attended, chair, other_chair, minute_taker, client_for
):
    """Nadia's discussion is hers; Chris's address with her child in it is not found."""
    elsewhere = discussion_schedule(
        created_by=other_chair,
        format="phone",
        urgency="planned",
        scheduled_for=attended.scheduled_for,
        reason="Fictional: another family.",
        concern_categories=["neglect"],
        team=attended.team,
        chair=other_chair,
        minute_taker=minute_taker,
    )
    rowan = Child.objects.create(
        discussion=elsewhere, first_name="Rowan", last_name="Example", needs="Fictional."
    )
    client = client_for(chair)
    for name in ("strategy:decision", "strategy:positions"):
        assert client.get(reverse(name, args=[attended.pk, rowan.pk])).status_code == 404
        response = client.post(reverse(name, args=[attended.pk, rowan.pk]), typed(attended))
        assert response.status_code == 404
        ada = attended.children.get(first_name="Ada")
        assert client_for(other_chair).get(
            reverse(name, args=[attended.pk, ada.pk])
        ).status_code == (404)
    assert not ChildDecision.objects.filter(child=rowan).exists()


def test_a_locked_record_is_refused(attended, chair, client_for):
    ada = attended.children.get(first_name="Ada")
    decision_record(
        discussion=attended,
        child=ada,
        expected_revision=attended.revision,
        decided_by=chair,
        threshold_met=True,
        rationale="Fictional: as agreed.",
        outcomes=["s47_joint"],
        no_s47_rationale="",
        further_discussion_on=None,
    )
    attended.__class__.objects.filter(pk=attended.pk).update(record_locked_at=timezone.now())
    response = client_for(chair).post(
        decision_url(attended, ada), typed(attended, all_agree="on"), follow=True
    )
    assert "This discussion&#x27;s record is locked" in response.text
    assert ChildDecision.objects.get(child=ada).rationale == "Fictional: as agreed."
    assert not AgencyPosition.objects.exists()
