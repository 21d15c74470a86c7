import pytest

from strategy.models import InvitationException, Invitee
from strategy.services.invitees import (
    MissingReasons,
    invitees_confirm,
    propose_invitees,
    requirements_for,
)


def proposed_names(discussion):
    return {p.agency.name for p in propose_invitees(discussion)}


def test_every_childs_and_parents_gp_is_proposed(discussion):
    names = proposed_names(discussion)
    assert {
        "Riverside Medical Centre",
        "Harbour Lane Surgery",
        "Millbrook Family Practice",
    } <= names
    # a neighbour is not a parent or carer: their GP is not called for
    assert "Castle Street Health Centre" not in names


def test_statutory_partners_health_each_in_its_own_right_housing_referrer_and_school(
    discussion,
):
    names = proposed_names(discussion)
    assert {
        "Eastmere Constabulary",
        "Eastmere Children's Social Care",
        "Eastmere General Hospital",
        "Eastmere Health Visiting",
        "Eastmere Housing Options",
        "Saltmarsh Primary School",
    } <= names
    assert "Eastmere Midwifery" not in names  # no unborn child, no pre-birth concern


def test_midwifery_is_proposed_for_an_unborn_child(discussion):
    from datetime import date

    from strategy.models import Child

    Child.objects.create(
        discussion=discussion,
        first_name="Baby",
        last_name="Unborn",
        is_unborn=True,
        expected_delivery_date=date(2027, 3, 1),
        needs="x",
    )
    assert "Eastmere Midwifery" in proposed_names(discussion)


def test_housing_is_not_proposed_when_not_a_factor(discussion):
    discussion.housing_is_factor = False
    discussion.save()
    assert "Eastmere Housing Options" not in proposed_names(discussion)
    assert "housing" not in {r.key for r in requirements_for(discussion)}


def test_why_invited_never_names_a_person(discussion):
    for proposal in propose_invitees(discussion):
        for name in ("Ada", "Testcase", "Morgan", "Otherfield"):
            assert name not in proposal.why


def test_accepting_every_proposal_invites_them_and_emails_each(
    discussion, chair, django_capture_on_commit_callbacks, mailoutbox
):
    proposals = propose_invitees(discussion)
    with django_capture_on_commit_callbacks(execute=True):
        invitees_confirm(
            discussion=discussion,
            expected_revision=discussion.revision,
            agencies=[p.agency for p in proposals],
            reasons={},
            why={p.agency.pk: p.why for p in proposals},
            recorded_by=chair,
        )
    assert Invitee.objects.filter(discussion=discussion).count() == len(proposals)
    assert len(mailoutbox) == len(proposals)
    assert all(discussion.reference in m.subject for m in mailoutbox)
    assert not InvitationException.objects.exists()


def test_leaving_out_a_parents_gp_or_housing_needs_a_reason(discussion, chair, county):
    proposals = propose_invitees(discussion)
    without = [
        p.agency for p in proposals if p.agency not in (county["gp_father"], county["housing"])
    ]
    with pytest.raises(MissingReasons) as refused:
        invitees_confirm(
            discussion=discussion,
            expected_revision=discussion.revision,
            agencies=without,
            reasons={},
            why={},
            recorded_by=chair,
        )
    assert {r.key for r in refused.value.requirements} == {
        f"gp_{county['gp_father'].pk}",
        "housing",
    }
    assert not Invitee.objects.exists()  # nothing half-saved

    invitees_confirm(
        discussion=discussion,
        expected_revision=discussion.revision,
        agencies=without,
        reasons={
            f"gp_{county['gp_father'].pk}": "Father's whereabouts unknown; GP to be traced",
            "housing": "Family are owner-occupiers; housing concern is overcrowding only",
        },
        why={},
        recorded_by=chair,
    )
    exceptions = {e.requirement: e for e in InvitationException.objects.all()}
    assert exceptions["housing"].reason.startswith("Family are owner-occupiers")
    assert "Millbrook Family Practice" in exceptions[f"gp_{county['gp_father'].pk}"].description


def test_leaving_out_police_needs_a_reason(discussion, chair, county):
    agencies = [p.agency for p in propose_invitees(discussion) if p.agency != county["police"]]
    with pytest.raises(MissingReasons) as refused:
        invitees_confirm(
            discussion=discussion,
            expected_revision=discussion.revision,
            agencies=agencies,
            reasons={},
            why={},
            recorded_by=chair,
        )
    assert [r.key for r in refused.value.requirements] == ["police"]
