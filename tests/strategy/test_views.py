from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy.models import Child, Discussion
from tests.factories import UserFactory


def date_parts(name: str, day: date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def schedule_data(team, chair, minute_taker, **changes):
    soon = timezone.localdate() + timedelta(days=1)
    return {
        "revision": "0",
        "format": "phone",
        "urgency": "immediate",
        **date_parts("scheduled_on", soon),
        "scheduled_at": "14:30",
        "reason": "Police called to domestic incident; baby present.",
        "concern_categories": ["domestic_abuse", "physical"],
        "team": str(team.pk),
        "chair": str(chair.pk),
        "minute_taker": str(minute_taker.pk),
        **changes,
    }


def test_chair_schedules_a_discussion(chair, minute_taker, team, client_for):
    response = client_for(chair).post(
        reverse("strategy:create"), schedule_data(team, chair, minute_taker), follow=True
    )
    discussion = Discussion.objects.get()
    # "Save and continue" goes on to the next section, as every section's does.
    assert response.redirect_chain == [(reverse("strategy:child_add", args=[discussion.pk]), 302)]
    assert "Add a child" in response.text
    assert discussion.reference.startswith(f"SD-{timezone.localdate().year}-")
    assert f"Discussion {discussion.reference} scheduled" in response.text
    assert timezone.localtime(discussion.scheduled_for).strftime("%H:%M") == "14:30"
    assert discussion.concern_categories == ["physical", "domestic_abuse"] or set(
        discussion.concern_categories
    ) == {"physical", "domestic_abuse"}


def test_the_minute_taker_who_schedules_goes_on_to_add_the_first_child(
    chair, minute_taker, team, client_for
):
    response = client_for(minute_taker).post(
        reverse("strategy:create"), schedule_data(team, chair, minute_taker)
    )
    discussion = Discussion.objects.get()
    assert response["Location"] == reverse("strategy:child_add", args=[discussion.pk])


def test_scheduling_for_someone_else_goes_to_its_task_list(
    chair, other_chair, minute_taker, team, client_for
):
    """Nadia schedules it for Chris and Mina: she may see it, not record it."""
    response = client_for(other_chair).post(
        reverse("strategy:create"), schedule_data(team, chair, minute_taker), follow=True
    )
    discussion = Discussion.objects.get()
    assert response.redirect_chain == [(reverse("strategy:detail", args=[discussion.pk]), 302)]
    assert f"Discussion {discussion.reference} scheduled" in response.text


def test_chair_cannot_also_take_the_minutes(chair, team, client_for):
    response = client_for(chair).post(reverse("strategy:create"), schedule_data(team, chair, chair))
    assert "The minute-taker must be someone other than the chair" in response.text
    assert "Police called to domestic incident" in response.text  # typed work kept
    assert not Discussion.objects.exists()


def test_a_time_in_the_wrong_format_is_explained(chair, minute_taker, team, client_for):
    response = client_for(chair).post(
        reverse("strategy:create"),
        schedule_data(team, chair, minute_taker, scheduled_at="half two"),
    )
    assert "Enter the time as hours and minutes, like 14:30" in response.text
    assert not Discussion.objects.exists()


def child_data(discussion, **changes):
    return {
        "revision": str(discussion.revision),
        "first_name": "Cleo",
        "last_name": "Testcase",
        **date_parts("date_of_birth", date(2019, 2, 3)),
        "needs": "Cleo has speech delay and misses school often.",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            date_parts("date_of_birth", timezone.localdate() + timedelta(days=3)),
            "The date of birth must be in the past",
        ),
        (
            {"is_unborn": "on", **date_parts("expected_delivery_date", date(2025, 1, 1))},
            "The expected date of delivery must be today or in the future",
        ),
        ({"is_unborn": "on"}, "Enter the expected date of delivery"),
        (
            {"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""},
            "Enter the date of birth, or tick",
        ),
        (
            {"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2020"},
            "Date of birth must be a real date",
        ),
        ({"needs": ""}, "Describe the child&#x27;s needs and the impact on them in words"),
        # found by tests/test_fuzz_forms.py: a year too large for Python's date
        (
            {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "2200000000"},
            "Date of birth must be a real date",
        ),
    ],
)
def test_bad_child_details_are_refused_and_nothing_saved(
    discussion, chair, client_for, changes, message
):
    before = Child.objects.count()
    response = client_for(chair).post(
        reverse("strategy:child_add", args=[discussion.pk]), child_data(discussion, **changes)
    )
    assert response.status_code == 200
    assert message in response.text
    assert Child.objects.count() == before


def test_an_unborn_child_has_an_expected_date_instead_of_a_birthday(discussion, chair, client_for):
    due = timezone.localdate() + timedelta(days=60)
    client_for(chair).post(
        reverse("strategy:child_add", args=[discussion.pk]),
        child_data(
            discussion,
            first_name="Baby",
            is_unborn="on",
            **date_parts("expected_delivery_date", due),
        ),
    )
    baby = Child.objects.get(first_name="Baby", is_unborn=True)
    assert baby.expected_delivery_date == due
    assert baby.date_of_birth is None


def test_second_save_is_refused_and_shows_what_changed(discussion, chair, minute_taker, client_for):
    opened_at = discussion.revision
    url = reverse("strategy:analysis", args=[discussion.pk])
    client_for(minute_taker).post(url, {"revision": opened_at, "worries": "Mina's worries"})
    response = client_for(chair).post(url, {"revision": opened_at, "worries": "Chris's worries"})
    assert "Someone else saved this discussion" in response.text
    assert "What the saved record now says" in response.text
    assert "Mina&#x27;s worries" in response.text
    assert "Chris&#x27;s worries" in response.text  # the chair's typing is kept
    discussion.refresh_from_db()
    assert discussion.worries == "Mina's worries"
    # saving again from the refreshed form goes through
    client_for(chair).post(url, {"revision": discussion.revision, "worries": "Chris's worries"})
    discussion.refresh_from_db()
    assert discussion.worries == "Chris's worries"


def test_a_locked_record_cannot_be_changed(discussion, chair, client_for):
    discussion.record_locked_at = timezone.now()
    discussion.save()
    response = client_for(chair).post(
        reverse("strategy:analysis", args=[discussion.pk]),
        {"revision": discussion.revision, "worries": "late change"},
        follow=True,
    )
    assert "record is locked" in response.text
    discussion.refresh_from_db()
    assert discussion.worries == ""


def test_follow_up_before_the_discussion_is_refused(discussion, chair, client_for):
    response = client_for(chair).post(
        reverse("strategy:follow_up", args=[discussion.pk]),
        {
            **date_parts("scheduled_on", date(2026, 11, 20)),
            "scheduled_time": "10:00",
            **date_parts("due_by", date(2026, 11, 19)),
        },
    )
    assert "The follow-up must be due on or after the discussion it follows" in response.text
    assert "The follow-up cannot be before the discussion it follows" in response.text
    assert Discussion.objects.count() == 1


def test_follow_up_must_be_held_by_a_date_after_it_is_booked(discussion, chair, client_for):
    response = client_for(chair).post(
        reverse("strategy:follow_up", args=[discussion.pk]),
        {
            **date_parts("scheduled_on", date(2026, 12, 6)),
            "scheduled_time": "10:00",
            **date_parts("due_by", date(2026, 11, 24)),
        },
    )
    assert "cannot be before the date it is booked for" in response.text
    assert Discussion.objects.count() == 1


def test_conference_date_follows_the_held_date(discussion, chair, minute_taker, client_for):
    from strategy.services.decisions import decision_record

    child = discussion.children.first()
    decision = decision_record(
        discussion=discussion,
        child=child,
        expected_revision=discussion.revision,
        decided_by=chair,
        threshold_met=True,
        rationale="r",
        outcomes=["s47_single"],
        no_s47_rationale="",
        further_discussion_on=None,
    )
    assert decision.conference_due_by == date(2026, 12, 14)  # from the booked Monday 23rd
    discussion.refresh_from_db()
    client_for(chair).post(
        reverse("strategy:attendance", args=[discussion.pk]),
        {
            "revision": discussion.revision,
            **date_parts("held_on", date(2026, 11, 20)),
            "held_time": "09:00",
        },
    )
    decision.refresh_from_db()
    assert decision.conference_due_by == date(2026, 12, 11)  # held Friday 20th instead


def test_follow_up_inherits_children_household_and_invitees(
    discussion, chair, county, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    from strategy.models import Invitee

    Invitee.objects.create(discussion=discussion, agency=county["police"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(chair).post(
            reverse("strategy:follow_up", args=[discussion.pk]),
            {
                **date_parts("scheduled_on", date(2026, 12, 7)),
                "scheduled_time": "10:00",
                **date_parts("due_by", date(2026, 12, 7)),
            },
            follow=True,
        )
    follow_up = Discussion.objects.get(follows=discussion)
    assert f"Follow-up {follow_up.reference} scheduled" in response.text
    # The chair is still on the discussion they were recording, with a link to the new one.
    assert response.redirect_chain[-1][0].startswith(
        reverse("strategy:detail", args=[discussion.pk])
    )
    assert reverse("strategy:detail", args=[follow_up.pk]) in response.text
    assert {c.full_name for c in follow_up.children.all()} == {
        c.full_name for c in discussion.children.all()
    }
    assert follow_up.adults.count() == 3
    assert [i.agency for i in follow_up.invitees.all()] == [county["police"]]
    assert len(mailoutbox) == 1
    assert [d.reference for d in follow_up.series()] == [discussion.reference, follow_up.reference]


def test_follow_up_not_held_by_its_due_date_is_overdue(discussion, chair):
    discussion.follow_up_due_by = timezone.localdate() - timedelta(days=1)
    discussion.save()
    assert discussion.follow_up_is_overdue
    assert list(Discussion.objects.follow_ups_overdue()) == [discussion]


def test_search_by_reference_child_name_and_date(discussion, chair, client_for):
    client = client_for(chair)
    url = reverse("strategy:list")
    assert discussion.reference in client.get(url).text  # my discussions
    assert discussion.reference in client.get(url, {"q": "Testcase"}).text
    assert discussion.reference in client.get(url, {"q": discussion.reference}).text
    assert discussion.reference not in client.get(url, {"q": "Nobody"}).text
    on_the_day = client.get(url, date_parts("on", date(2026, 11, 23)))
    assert discussion.reference in on_the_day.text
    wrong = client.get(url, {"on_0": "40", "on_1": "13", "on_2": "2026"})
    assert wrong.status_code == 200
    assert "Date must be a real date" in wrong.text


# Access: who sees and who changes.

RECORDING_PAGES: list[tuple[str, list[int]]] = [
    ("strategy:update", []),
    ("strategy:child_add", []),
    ("strategy:adult_add", []),
    ("strategy:invitees", []),
    ("strategy:attendance", []),
    ("strategy:analysis", []),
    ("strategy:action_add", []),
    ("strategy:plan", []),
]


def test_the_chair_and_minute_taker_record(discussion, chair, minute_taker, client_for):
    for user in (chair, minute_taker):
        client = client_for(user)
        for name, args in RECORDING_PAGES:
            assert client.get(reverse(name, args=[discussion.pk, *args])).status_code == 200


def test_other_chairs_and_managers_can_read_but_not_record(discussion, other_chair, client_for):
    manager = UserFactory(username="maya", role="manager")
    for user in (other_chair, manager):
        client = client_for(user)
        detail = client.get(reverse("strategy:detail", args=[discussion.pk]))
        assert detail.status_code == 200
        assert reverse("strategy:invitees", args=[discussion.pk]) not in detail.text
        for name, args in RECORDING_PAGES:
            assert client.get(reverse(name, args=[discussion.pk, *args])).status_code == 404
        child = discussion.children.first()
        assert (
            client.get(reverse("strategy:decision", args=[discussion.pk, child.pk])).status_code
            == 404
        )


def test_partner_agency_users_see_no_discussion_pages(discussion, charlie, client_for):
    client = client_for(charlie)
    assert client.get(reverse("strategy:list")).status_code == 404
    assert client.get(reverse("strategy:detail", args=[discussion.pk])).status_code == 404


def test_a_child_of_another_discussion_is_404(discussion, chair, minute_taker, team, client_for):
    other = Discussion.objects.create(
        reference="SD-2026-99999",
        format="phone",
        urgency="planned",
        scheduled_for=timezone.now(),
        reason="x",
        team=team,
        chair=chair,
        minute_taker=minute_taker,
        created_by=chair,
    )
    child = discussion.children.first()
    url = reverse("strategy:decision", args=[other.pk, child.pk])
    assert client_for(chair).get(url).status_code == 404


def test_unknown_discussion_is_404(db, chair, client_for):
    assert client_for(chair).get(reverse("strategy:detail", args=[999999])).status_code == 404


def test_removing_an_action_and_a_household_member(discussion, chair, county, client_for):
    from strategy.models import Action, Adult

    action = Action.objects.create(
        discussion=discussion,
        what="Home visit",
        person="SW",
        agency=county["social_care"],
        due_by=date(2026, 12, 1),
        why="See the baby",
    )
    client = client_for(chair)
    client.post(
        reverse("strategy:action_remove", args=[discussion.pk, action.pk]),
        {"revision": discussion.revision},
    )
    assert not Action.objects.filter(pk=action.pk).exists()
    discussion.refresh_from_db()
    adult = discussion.adults.first()
    page = client.post(
        reverse("strategy:adult_remove", args=[discussion.pk, adult.pk]),
        {"revision": discussion.revision},
        follow=True,
    )
    assert f"{adult} removed" in page.text
    assert not Adult.objects.filter(pk=adult.pk).exists()


def test_chair_and_minute_taker_saving_different_sections_both_land(
    discussion, chair, minute_taker, client_for
):
    """Mina records the analysis while Chris records Ada's voice, both opened at once."""
    opened_at = discussion.revision
    ada = discussion.children.get(first_name="Ada")
    analysis = reverse("strategy:analysis", args=[discussion.pk])
    voice = reverse("strategy:voice", args=[discussion.pk, ada.pk])
    mina = client_for(minute_taker).post(
        analysis, {"revision": opened_at, "worries": "Mina's worries", "working_well": "w"}
    )
    assert mina.status_code == 302
    chris = client_for(chair).post(
        voice, {"revision": opened_at, "voice": "Ada says she is hungry", "obtained": "Visit"}
    )
    assert chris.status_code == 302, "a save of another section must not refuse this one"
    discussion.refresh_from_db()
    ada.refresh_from_db()
    assert discussion.worries == "Mina's worries"
    assert ada.voice == "Ada says she is hungry"

    # The same section opened before Mina's save is still refused, with what changed.
    again = client_for(chair).post(
        analysis, {"revision": opened_at, "worries": "Chris's worries", "working_well": "w"}
    )
    assert "Someone else saved this discussion" in again.text
    discussion.refresh_from_db()
    assert discussion.worries == "Mina's worries"


def test_changing_the_details_keeps_another_sections_save(
    discussion, chair, minute_taker, client_for
):
    from strategy.services import recording, scheduling

    stale = Discussion.objects.get(pk=discussion.pk)
    recording.discussion_fields_record(
        discussion=Discussion.objects.get(pk=discussion.pk),
        expected_revision=discussion.revision,
        worries="Saved by Mina",
    )
    scheduling.discussion_update(
        discussion=stale, expected_revision=stale.revision, joining_details="New link"
    )
    discussion.refresh_from_db()
    assert discussion.worries == "Saved by Mina"  # not overwritten by the stale object
    assert discussion.joining_details == "New link"


def test_no_select_starts_with_dashes(discussion, chair, client_for):
    client = client_for(chair)
    pages = [
        reverse("strategy:create"),
        reverse("strategy:update", args=[discussion.pk]),
        reverse("strategy:child_add", args=[discussion.pk]),
        reverse("strategy:adult_add", args=[discussion.pk]),
        reverse("strategy:action_add", args=[discussion.pk]),
        reverse("strategy:invitees", args=[discussion.pk]),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "---------" not in page.text, url


def test_one_primary_button_a_page(discussion, chair, client_for):
    """GOV.UK: one primary action a page; the rest are secondary."""
    import re

    client = client_for(chair)
    for url in (reverse("strategy:list"), reverse("minutes:workspace", args=[discussion.pk])):
        page = client.get(url).text.split("<dialog")[0]  # the sign-out warning is its own
        buttons = re.findall(r'<(?:button|a)[^>]*class="(govuk-button[^"]*)"', page)
        primary = [b for b in buttons if "--secondary" not in b and "--warning" not in b]
        assert len(primary) <= 1, (url, buttons)


def test_follow_up_dates_come_from_the_decision_so_they_are_typed_once(
    discussion, chair, client_for
):
    from strategy.models import ChildDecision

    for child, day in zip(
        discussion.children.all(), (date(2026, 12, 9), date(2026, 12, 4)), strict=True
    ):
        ChildDecision.objects.create(
            child=child,
            threshold_met=False,
            decided_by=chair,
            outcomes=["further_discussion"],
            rationale="Needs the school's view.",
            further_discussion_on=day,
        )
    page = client_for(chair).get(reverse("strategy:follow_up", args=[discussion.pk])).text
    assert "The decision agreed a further discussion by 4 December 2026" in page
    import re

    typed = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            typed[name.group(1)] = value.group(1)
    for field in ("scheduled_on", "due_by"):
        assert [typed.get(f"{field}_{part}") for part in range(3)] == ["4", "12", "2026"], field
