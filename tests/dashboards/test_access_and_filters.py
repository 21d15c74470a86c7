"""Who sees which dashboard, and what a nonsense filter gets: a GOV.UK error, never a 500.

Maya (manager) and Adam (administrator) see every team. Chris chairs for North and sees
North only: asking for South's figures is a 404. Mina (minute-taker) and Pat (partner
agency) get a 404 everywhere; Pat has her own page for her agency's receipts.
"""

import re

import pytest

from minutes.dashboards.lists import LISTS

PAGES = [
    "/dashboards/",
    "/dashboards/audit/",
    "/dashboards/audit/figures.csv",
    "/dashboards/audit/agencies.csv",
    "/dashboards/trends/",
    "/dashboards/trends/trends.csv",
    *[f"/dashboards/{slug}/" for slug in LISTS],
    *[f"/dashboards/{slug}/download.csv" for slug in LISTS],
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("maya", 200), ("adam", 200), ("chris", 200), ("nadia", 200), ("mina", 404), ("pat", 404)],
)
def test_each_page_for_each_role(url, who, status, p, client_for) -> None:  # noqa: ANN001
    assert client_for(p.people[who]).get(url).status_code == status


@pytest.mark.parametrize("url", ["/dashboards/", "/dashboards/audit/", "/dashboards/trends/"])
def test_signed_out_people_are_sent_to_sign_in(url, client) -> None:  # noqa: ANN001
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("url", PAGES)
def test_a_chair_asking_for_another_teams_figures_gets_a_404(url, p, client_for) -> None:  # noqa: ANN001
    chris = client_for(p.chris)

    assert chris.get(url, {"team": p.south.pk}).status_code == 404
    assert chris.get(url, {"team": "nonsense"}).status_code == 404
    assert chris.get(url, {"team": p.north.pk}).status_code == 200


def test_a_chair_without_a_team_sees_no_dashboard(p, client_for) -> None:  # noqa: ANN001
    p.chris.team = None
    p.chris.save()

    assert client_for(p.chris).get("/dashboards/").status_code == 404


def test_a_chairs_lists_hold_only_their_teams_discussions(p, client_for, frozen) -> None:  # noqa: ANN001
    from tests.dashboards import builders as b

    north = b.discussion(p, held_at=b.at(16, 9))
    south = b.discussion(p, held_at=b.at(16, 9), team=p.south, chair=p.nadia)

    text = client_for(p.chris).get("/dashboards/minutes-overdue/").text
    csv = b"".join(client_for(p.chris).get("/dashboards/minutes-overdue/download.csv")).decode()

    assert north.reference in text and south.reference not in text
    assert north.reference in csv and south.reference not in csv
    assert "As a chair you see your own team" in text


def test_partners_find_their_own_page_in_the_menu(p, client_for) -> None:  # noqa: ANN001
    text = client_for(p.people["pat"]).get("/").text

    assert 'href="/minutes/agency/"' in text
    assert 'href="/dashboards/"' not in text
    assert 'href="/dashboards/"' in client_for(p.people["maya"]).get("/").text


def dates(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


NONSENSE = [
    ({"team": "999999"}, "Select a team from the list"),
    ({"team": "north"}, "Select a team from the list"),
    ({"chair": "0"}, "Select a chair from the list"),
    ({"agency": "-1"}, "Select an agency from the list"),
    (dates("start", "31", "2", "2026"), "Discussions from must be a real date"),
    (dates("start", "x", "3", "2026"), "Discussions from must be a real date"),
    (dates("end", "1", "3", ""), "Discussions to must include a day, month and year"),
    (dates("end", "1", "1", "20260"), "Discussions to must be a real date"),
    (dates("start", "1", "1", "1066"), "Discussions from must be a date between 1990 and 2100"),
    (
        {**dates("start", "10", "3", "2026"), **dates("end", "1", "3", "2026")},
        "Discussions to must be the same as or after discussions from",
    ),
]


FILTERED = [
    "/dashboards/",
    "/dashboards/minutes-overdue/",
    "/dashboards/actions-overdue/download.csv",
    "/dashboards/audit/",
    "/dashboards/audit/figures.csv",
]


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        (url, query, message)
        for url in FILTERED
        for query, message in NONSENSE
        if not ("audit" in url and {"chair", "agency"} & set(query))  # the audit has neither
    ],
)
def test_nonsense_filters_get_a_clear_message(url, query, message, p, client_for) -> None:  # noqa: ANN001
    response = client_for(p.people["maya"]).get(url, query)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "There is a problem" in text
    assert message in text
    assert re.search(r"<title>[^<]*Error", text)  # the page title says so too


def test_trends_explain_an_unknown_team(p, client_for) -> None:  # noqa: ANN001
    response = client_for(p.people["maya"]).get("/dashboards/trends/", {"team": "404"})

    assert "Select a team from the list" in response.text
    assert "<svg" not in response.text
