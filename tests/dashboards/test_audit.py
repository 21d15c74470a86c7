"""The audit figures, on four discussions small enough to check by hand.

Period: 1 to 18 March 2026, now is noon on 18 March.

D1 (2 Mar): police, health and social care attended; known GP gp_a (child and mother),
  invited, sent information; minutes after 10 hours; every child has a rationale.
D2 (4 Mar): police sent apologies; known GPs gp_a (child) and gp_b (father), gp_b not
  invited, neither took part; housing a factor and attended; minutes after 28 hours; the
  second child has no decision.
D3 (9 Mar): the GP (gp_c) is the health agency that attended; housing a factor but did not
  attend; minutes after 23 hours; the child's rationale is blank.
D4 (17 Mar, 10:00): the hospital sent information only; no known GP (a grandparent's GP
  does not count); minutes not sent 26 hours on, so overdue.

Police, health and social care took part (attended or sent information) in D1, D3 and D4.
Information is recorded from the police in D1 and the hospital in D4. No GP was sent the
minutes (D3's went in error and were revoked). No discussion has an action. Five children:
D2 has two; by child, three have a rationale (D2's second has no decision, D3's is blank).

Receipts: D1 confirmed after 2, 30 and 50 hours; D2 after 60 hours, and one never (sent
more than 48 hours ago); D3 after 1 hour, one sent in error (not counted) and version 2
sent 16 hours ago (not yet due). So 3 of 6 within 48 hours; median of 1, 2, 30, 50, 60.

D5 (scheduled, not held) and D6 (1 February) are outside the figures.
"""

from datetime import timedelta

import pytest

from minutes.dashboards.audit import agency_figures, audit_figures
from minutes.dashboards.filters import Filters
from minutes.dashboards.measures import Proportion, duration_text
from tests.dashboards import builders as b
from tests.dashboards.conftest import NOW

H = timedelta(hours=1)
PERIOD = Filters(start=b.at(1, 0).date(), end=b.at(18, 0).date())


@pytest.fixture
def audited(p, frozen):  # noqa: ANN001
    a = p.agencies

    d1 = b.discussion(p, held_at=b.at(2, 10), distributed_at=b.at(2, 20))
    for key, attendance in [("csc", "attended"), ("police", "attended"),
                            ("hospital", "attended"), ("gp_a", "information_only"),
                            ("school", "did_not_attend")]:  # fmt: skip
        b.invite(d1, a[key], attendance, "Fictional." if key == "police" else "")
    c1 = b.child(d1, gp=a["gp_a"])
    b.adult(d1, gp=a["gp_a"], relationship="mother")
    b.position(c1, d1.invitees.get(agency=a["police"]), "disagrees")
    b.position(c1, d1.invitees.get(agency=a["hospital"]), "agrees")
    b.difference(d1, opened_at=b.at(2, 12), resolved_at=b.at(4, 12))
    v1 = b.version(d1)
    b.delivery(v1, a["csc"], sent_at=b.at(2, 20), confirmed_after=2 * H)
    police = b.delivery(v1, a["police"], sent_at=b.at(2, 20), confirmed_after=30 * H, chases=1)
    b.delivery(v1, a["hospital"], sent_at=b.at(2, 20), confirmed_after=50 * H, chases=2)
    b.dispute(police, raised_at=b.at(4, 9), resolved_at=b.at(5, 9))

    d2 = b.discussion(p, held_at=b.at(4, 10), housing=True, distributed_at=b.at(5, 14))
    for key, attendance in [("csc", "attended"), ("police", "apologies"),
                            ("hospital", "attended"), ("gp_a", "did_not_attend"),
                            ("housing", "attended")]:  # fmt: skip
        b.invite(d2, a[key], attendance)
    c2 = b.child(d2, gp=a["gp_a"])
    b.child(d2, rationale=None)
    b.adult(d2, gp=a["gp_b"], relationship="father")
    b.position(c2, d2.invitees.get(agency=a["hospital"]), "disagrees")
    b.difference(d2, opened_at=b.at(4, 12))
    v2 = b.version(d2)
    b.delivery(v2, a["csc"], sent_at=b.at(5, 14), confirmed_after=60 * H, chases=2)
    silent = b.delivery(v2, a["police"], sent_at=b.at(5, 14), chases=4, escalated_at=b.at(9, 14))
    b.dispute(silent, raised_at=b.at(6, 9))

    d3 = b.discussion(p, held_at=b.at(9, 10), housing=True, distributed_at=b.at(10, 9))
    for key, attendance in [("csc", "attended"), ("police", "attended"),
                            ("gp_c", "attended"), ("housing", "did_not_attend")]:  # fmt: skip
        b.invite(d3, a[key], attendance)
    b.child(d3, gp=a["gp_c"], rationale="")
    v3 = b.version(d3)
    b.delivery(v3, a["csc"], sent_at=b.at(10, 9), confirmed_after=1 * H)
    b.delivery(v3, a["gp_c"], sent_at=b.at(10, 9), revoked_at=b.at(10, 10))
    v3b = b.version(d3, number=2, approved_at=b.at(17, 20))
    b.delivery(v3b, a["csc"], sent_at=b.at(17, 20))

    d4 = b.discussion(p, held_at=b.at(17, 10))
    for key, attendance in [("csc", "attended"), ("police", "attended"),
                            ("hospital", "information_only")]:  # fmt: skip
        b.invite(d4, a[key], attendance, "Fictional." if key == "hospital" else "")
    b.child(d4)
    b.adult(d4, gp=a["gp_b"], relationship="grandparent")

    d5 = b.discussion(p, held_at=None, scheduled_for=b.at(16, 10))
    b.invite(d5, a["csc"], "invited")

    d6 = b.discussion(p, held_at=b.at(1, 10, month=2), distributed_at=b.at(1, 12, month=2))
    old_police = b.invite(d6, a["police"], "attended")
    b.position(b.child(d6), old_police, "disagrees")
    old = b.delivery(b.version(d6), a["police"], sent_at=b.at(1, 12, month=2))
    b.dispute(old, raised_at=b.at(2, 9, month=2))
    return [d1, d2, d3, d4]


def test_each_audit_figure_matches_the_hand_count(audited) -> None:  # noqa: ANN001
    figures = audit_figures(PERIOD, NOW)

    assert figures.discussions == 4
    assert figures.statutory_partners_attended == Proportion(2, 4)
    assert figures.every_known_gp_invited == Proportion(2, 3)
    assert figures.gp_involved == Proportion(2, 3)
    assert figures.housing_involved == Proportion(1, 2)
    assert figures.minutes_within_24_hours == Proportion(2, 4)
    assert figures.median_time_to_send == 23 * H
    assert figures.receipts_within_48_hours == Proportion(3, 6)
    assert figures.median_time_to_confirm == 30 * H
    assert figures.rationale_for_every_child == Proportion(2, 4)
    assert figures.disagreements == 2
    assert (figures.differences_opened, figures.differences_resolved) == (2, 1)
    assert figures.median_time_to_resolve_difference == 48 * H
    assert (figures.disputes_raised, figures.disputes_resolved) == (2, 1)
    assert figures.median_time_to_resolve_dispute == 24 * H

    assert figures.children == 5
    assert figures.statutory_partners_took_part == Proportion(3, 4)
    assert figures.every_known_gp_sent_minutes == Proportion(0, 3)
    assert figures.shared_by_police == Proportion(1, 4)
    assert figures.shared_by_health == Proportion(1, 4)
    assert figures.shared_by_childrens_social_care == Proportion(0, 4)
    assert figures.plan_with_actions == Proportion(0, 4)
    assert figures.held_within_timescale == Proportion(0, 0)  # no concern dates recorded


def test_each_figure_also_counts_children(audited) -> None:  # noqa: ANN001
    by_child = audit_figures(PERIOD, NOW).by_child

    assert by_child["statutory_partners_took_part"] == Proportion(3, 5)  # D1, D3, D4
    assert by_child["statutory_partners_attended"] == Proportion(2, 5)  # D1, D3
    assert by_child["every_known_gp_invited"] == Proportion(2, 4)  # D1, D3 of D1, D2, D3
    assert by_child["housing_involved"] == Proportion(2, 3)  # D2 of D2, D3
    assert by_child["rationale_for_every_child"] == Proportion(3, 5)  # each child's own


def test_held_within_timescale_counts_working_days(p, frozen) -> None:  # noqa: ANN001
    # Planned, concern on Monday 2 March: due by Thursday 5th.
    b.discussion(p, held_at=b.at(5, 17), concern_raised_at=b.at(2, 9))
    b.discussion(p, held_at=b.at(6, 9), concern_raised_at=b.at(2, 9))
    # Immediate, concern on Saturday 7 March: due on Monday 9th.
    b.discussion(p, held_at=b.at(9, 16), concern_raised_at=b.at(7, 9), urgency="immediate")
    b.discussion(p, held_at=b.at(10, 9))  # no concern date: not counted either way

    figures = audit_figures(PERIOD, NOW)

    assert figures.held_within_timescale == Proportion(2, 3)
    assert "2 of the 3 discussions" not in " ".join(figures.findings())
    assert "1 delayed: 1 of the 3 discussions" in " ".join(figures.findings())


def test_the_period_counts_discussions_by_the_date_held(p, frozen) -> None:  # noqa: ANN001
    b.discussion(p, scheduled_for=b.at(27, 10, month=2), held_at=b.at(2, 10))
    b.discussion(p, scheduled_for=b.at(17, 10), held_at=None)

    assert audit_figures(PERIOD, NOW).discussions == 1
    assert (
        audit_figures(
            Filters(start=b.at(1, 0, month=2).date(), end=b.at(28, 0, month=2).date()), NOW
        ).discussions
        == 0
    )


def test_a_team_sees_only_its_own_discussions(audited, p) -> None:  # noqa: ANN001
    d4 = audited[3]
    d4.team = p.south
    d4.save()

    north = audit_figures(Filters(team_id=p.north.pk, start=PERIOD.start, end=PERIOD.end), NOW)
    south = audit_figures(Filters(team_id=p.south.pk, start=PERIOD.start, end=PERIOD.end), NOW)

    assert (north.discussions, south.discussions) == (3, 1)
    assert north.statutory_partners_attended == Proportion(2, 3)
    assert south.minutes_within_24_hours == Proportion(0, 1)


def test_the_period_decides_which_discussions_count(audited) -> None:  # noqa: ANN001
    first_week = Filters(start=b.at(1, 0).date(), end=b.at(7, 0).date())

    figures = audit_figures(first_week, NOW)

    assert figures.discussions == 2
    assert figures.median_time_to_send == 19 * H  # 10 and 28 hours


def test_the_agency_table_counts_invitations_receipts_and_chases(audited) -> None:  # noqa: ANN001
    rows = {row.agency: row for row in agency_figures(PERIOD)}

    social_care = rows["Eastmere Children's Social Care"]
    assert (social_care.invited, social_care.attended) == (4, 4)
    assert (social_care.minutes_sent, social_care.receipts_confirmed) == (4, 3)
    assert social_care.median_time_to_confirm == 2 * H  # 1, 2 and 60 hours
    assert social_care.chases_needed == 2

    police = rows["Eastmere Constabulary"]
    assert (police.invited, police.attended, police.minutes_sent) == (4, 3, 2)
    assert (police.receipts_confirmed, police.chases_needed) == (1, 5)
    assert police.median_time_to_confirm == 30 * H

    hospital = rows["Eastmere General Hospital"]
    assert (hospital.invited, hospital.attended, hospital.minutes_sent) == (3, 2, 1)

    gp_c = rows["Millbrook Family Practice"]
    assert (gp_c.invited, gp_c.attended, gp_c.minutes_sent) == (1, 1, 0)  # sent in error
    assert gp_c.median_time_to_confirm is None
    assert list(rows) == sorted(rows, key=str.lower)


def test_nothing_to_count_says_so(p, frozen) -> None:  # noqa: ANN001
    figures = audit_figures(PERIOD, NOW)

    assert figures.discussions == 0
    assert str(figures.statutory_partners_attended) == "None to count"
    assert figures.median_time_to_send is None


def test_figures_read_as_people_say_them() -> None:
    assert str(Proportion(2, 3)) == "67% (2 of 3)"
    assert Proportion(1, 8).percent == 13  # halves round up
    assert duration_text(30 * H) == "1 day 6 hours"
    assert duration_text(timedelta(hours=23, minutes=30)) == "23 hours 30 minutes"
    assert duration_text(timedelta(minutes=1)) == "1 minute"
    assert duration_text(None) == "None to measure"


def test_the_audit_page_shows_the_figures(audited, client_for, maya) -> None:  # noqa: ANN001
    response = client_for(maya).get(
        "/dashboards/audit/",
        {"start_0": "1", "start_1": "3", "start_2": "2026", "end_0": "18", "end_1": "3",
         "end_2": "2026"},
    )  # fmt: skip

    text = response.text
    assert "Discussions held from 1 March 2026 to 18 March 2026" in text
    assert (
        "3 of 4 discussions had police, health and children&#x27;s social care taking part" in text
    )
    assert "Housing was missing from 1 of the 2 discussions where housing was a factor" in text
    assert (
        "invited in 2 of 3 discussions with a known GP, and sent the minutes in none of 3" in text
    )
    assert "Of discussions recorded with housing as a factor" in text  # the definitions
    assert "23 hours" in text
    assert "Eastmere Constabulary" in text


def test_the_audit_period_defaults_to_the_last_three_months(client_for, maya, frozen) -> None:  # noqa: ANN001
    response = client_for(maya).get("/dashboards/audit/")

    assert "Discussions held from 19 December 2025 to 18 March 2026" in response.text
