"""Shortcuts a chair ticks during the call (never defaults): every agency attended or agrees,
apart from the exceptions marked; adding the next child or person straight away; "Save and
continue" going on from pages that belong to a section."""

from django.urls import reverse

from strategy.models import Adult, AgencyPosition, Attendance, Invitee
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client
from tests.strategy.test_views import child_data


def attendance_data(discussion, **fields):
    data = {
        "revision": discussion.revision,
        "held_on_0": discussion.held_at.day,
        "held_on_1": discussion.held_at.month,
        "held_on_2": discussion.held_at.year,
        "held_time": discussion.held_at.strftime("%H:%M"),
    }
    for invitee in discussion.invitees.all():
        data[f"i{invitee.pk}_attendance"] = Attendance.INVITED
    data.update(fields)
    return data


def test_every_agency_attended_apart_from_those_marked(db):
    record = held_discussion()
    discussion = record.discussion
    Invitee.objects.filter(discussion=discussion).update(attendance=Attendance.INVITED)
    housing = discussion.invitees.get(agency__name="Eastmere Housing Options")
    response = verified_client(record.chair).post(
        reverse("strategy:attendance", args=[discussion.pk]),
        attendance_data(
            discussion,
            all_attended="on",
            **{f"i{housing.pk}_attendance": Attendance.APOLOGIES},
        ),
    )
    assert response.status_code == 302, response.text[:3000]
    attendance = dict(discussion.invitees.values_list("agency__name", "attendance"))
    assert attendance.pop("Eastmere Housing Options") == Attendance.APOLOGIES
    assert set(attendance.values()) == {Attendance.ATTENDED}


def test_without_the_tick_nobody_is_recorded_as_attending(db):
    record = held_discussion()
    discussion = record.discussion
    Invitee.objects.filter(discussion=discussion).update(attendance=Attendance.INVITED)
    verified_client(record.chair).post(
        reverse("strategy:attendance", args=[discussion.pk]), attendance_data(discussion)
    )
    assert not discussion.invitees.filter(attendance=Attendance.ATTENDED).exists()


def positions_url(record):
    """Positions are given on the decision's page, below the decision."""
    child = record.discussion.children.get()
    return reverse("strategy:decision", args=[record.discussion.pk, child.pk])


def decision_data(discussion, **fields):
    """The decision held_discussion records (threshold met, joint section 47), as typed."""
    return {
        "revision": discussion.revision,
        "threshold_met": "yes",
        "rationale": "Bruising to a baby.",
        "outcomes": ["s47_joint"],
        **fields,
    }


def test_every_attending_agency_agrees_apart_from_the_one_that_disagrees(db):
    record = held_discussion()
    discussion = record.discussion
    police = discussion.invitees.get(agency__name="Eastmere Constabulary")
    response = verified_client(record.chair).post(
        positions_url(record),
        decision_data(
            discussion,
            all_agree="on",
            **{
                f"position_{police.pk}": "disagrees",
                f"reason_{police.pk}_disagrees": "Fictional: the police want a joint visit first.",
            },
        ),
    )
    assert response.status_code == 302
    positions = dict(
        AgencyPosition.objects.filter(decision__child__discussion=discussion).values_list(
            "invitee__agency__name", "position"
        )
    )
    attending = discussion.invitees.filter(attendance=Attendance.ATTENDED).count()
    assert len(positions) == attending
    assert positions.pop("Eastmere Constabulary") == "disagrees"
    assert set(positions.values()) == {"agrees"}


def test_the_reason_is_asked_for_under_disagrees_and_abstains_only(db):
    record = held_discussion()
    police = record.discussion.invitees.get(agency__name="Eastmere Constabulary")
    page = verified_client(record.chair).get(positions_url(record)).text
    # GOV.UK's conditional reveal: each reason box belongs to its own choice.
    for position, index in (("disagrees", 1), ("abstains", 2)):
        panel = f"conditional-id_position_{police.pk}_{index}"
        assert f'data-aria-controls="{panel}"' in page
        assert f'id="{panel}"' in page
        assert f'name="reason_{police.pk}_{position}"' in page
    assert f"conditional-id_position_{police.pk}_0" not in page  # nothing under Agrees
    assert "Why Eastmere Constabulary abstains" in page


def test_a_reason_typed_under_another_choice_does_not_count_and_nothing_is_saved(db):
    """Without JavaScript every reason box shows: the one under the choice made is needed."""
    record = held_discussion()
    discussion = record.discussion
    police = discussion.invitees.get(agency__name="Eastmere Constabulary")
    client = verified_client(record.chair)
    data = decision_data(
        discussion,
        all_agree="on",
        **{
            f"position_{police.pk}": "abstains",
            f"reason_{police.pk}_disagrees": "Fictional: typed under Disagrees.",
        },
    )
    response = client.post(positions_url(record), data)
    assert response.status_code == 200
    assert "Give the reason Eastmere Constabulary abstains" in response.text
    assert not AgencyPosition.objects.exists()

    data[f"reason_{police.pk}_abstains"] = "Fictional: not enough known yet."
    assert client.post(positions_url(record), data).status_code == 302
    position = AgencyPosition.objects.get(invitee=police)
    assert (position.position, position.reason) == ("abstains", "Fictional: not enough known yet.")
    agrees = AgencyPosition.objects.exclude(invitee=police)
    assert set(agrees.values_list("reason", flat=True)) == {""}
    # Opened again, the reason is under the choice it was given for.
    page = client.get(positions_url(record))
    assert page.context["form"][f"reason_{police.pk}_abstains"].initial == position.reason
    assert page.context["form"][f"reason_{police.pk}_disagrees"].initial == ""


def test_a_position_left_blank_without_the_tick_is_an_error_and_nothing_is_saved(db):
    """Neither the decision nor any position: the two are saved together or not at all."""
    record = held_discussion()
    discussion = record.discussion
    social_care = discussion.invitees.get(agency__name="Eastmere Children's Social Care")
    response = verified_client(record.chair).post(
        positions_url(record),
        decision_data(
            discussion,
            rationale="Fictional: a new wording.",
            **{f"position_{social_care.pk}": "agrees"},
        ),
    )
    assert response.status_code == 200
    assert (
        "Select the position of Eastmere Constabulary, or tick that every attending agency "
        "agrees" in response.text
    )
    assert "Fictional: a new wording." in response.text  # what was typed is kept
    assert not AgencyPosition.objects.exists()
    decision = discussion.children.get().decision
    decision.refresh_from_db()
    assert decision.rationale == "Bruising to a baby."


def test_save_and_add_another_goes_straight_to_the_next_person(discussion, chair, client_for):
    client = client_for(chair)
    response = client.post(
        reverse("strategy:child_add", args=[discussion.pk]),
        {**child_data(discussion), "another": "1"},
    )
    assert response["Location"] == reverse("strategy:child_add", args=[discussion.pk])
    page = client.get(reverse("strategy:adult_add", args=[discussion.pk])).text
    assert "Save and add another person" in page
    discussion.refresh_from_db()
    response = client.post(
        reverse("strategy:adult_add", args=[discussion.pk]),
        {
            "revision": discussion.revision,
            "name": "Robin Examplefield",
            "relationship": "carer",
            "continue": "1",
        },
    )
    assert Adult.objects.filter(name="Robin Examplefield").exists()
    # The household section has people now, so "continue" goes on to the invitees.
    assert response["Location"] == reverse("strategy:invitees", args=[discussion.pk])


def test_save_and_continue_on_positions_goes_on_to_the_next_section(db):
    record = held_discussion()
    discussion = record.discussion
    response = verified_client(record.chair).post(
        positions_url(record), decision_data(discussion, all_agree="on", **{"continue": "1"})
    )
    assert response["Location"] == reverse("strategy:action_add", args=[discussion.pk])
