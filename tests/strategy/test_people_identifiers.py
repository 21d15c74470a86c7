"""Partners know the family: adults have a date of birth, an NHS number and an address, children
an NHS number, and staff find any of them by name, date of birth or NHS number."""

from datetime import date

import pytest
from django.urls import reverse

from minutes.document import minutes_snapshot
from strategy.invitations import family_lines
from strategy.models import Adult, Child
from tests.strategy.test_views import date_parts

# Fictional NHS numbers whose check digits are valid (modulus 11).
CHILD_NHS = "4010232137"
ADULT_NHS = "9434765919"


def adult_data(discussion, **changes):
    return {
        "revision": str(discussion.revision),
        "name": "Robin Examplefield",
        "relationship": "mother",
        "lives_with_children": "on",
        **date_parts("date_of_birth", date(1990, 3, 3)),
        "nhs_number": "943 476 5919",
        "address": "4 Gull Terrace\nSaltmarsh\nEM1 2AB",
        **changes,
    }


def test_an_adult_is_recorded_with_date_of_birth_nhs_number_and_address(
    discussion, chair, client_for
):
    client = client_for(chair)
    response = client.post(
        reverse("strategy:adult_add", args=[discussion.pk]), adult_data(discussion)
    )
    assert response.status_code == 302
    robin = Adult.objects.get(name="Robin Examplefield")
    assert robin.date_of_birth == date(1990, 3, 3)
    assert robin.nhs_number == ADULT_NHS

    page = client.get(reverse("strategy:summary", args=[discussion.pk])).text
    assert "Born 3 March 1990, NHS number 943 476 5919" in page
    assert "4 Gull Terrace" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("943 476 5918", "Enter a real NHS number: check the digits, one may be mistyped"),
        ("94347659", "Enter the NHS number as 10 digits, like 943 476 5919"),
        ("NHS 943476591", "Enter the NHS number as 10 digits, like 943 476 5919"),
        ("9" * 40, "NHS number must be 13 characters or fewer: enter it as 10 digits"),
    ],
)
def test_a_mistyped_nhs_number_is_refused_and_the_typed_work_kept(
    discussion, chair, client_for, typed, message
):
    before = Adult.objects.count()
    response = client_for(chair).post(
        reverse("strategy:adult_add", args=[discussion.pk]),
        adult_data(discussion, nhs_number=typed),
    )
    assert response.status_code == 200
    assert message in response.text
    assert "4 Gull Terrace" in response.text  # nothing typed is lost
    assert Adult.objects.count() == before


def test_a_birth_parent_living_elsewhere_is_never_counted_in_the_household(
    discussion, chair, client_for
):
    client = client_for(chair)
    url = reverse("strategy:adult_add", args=[discussion.pk])
    form = client.get(url).text
    assert 'name="lives_with_children" type="checkbox" value="" checked' not in form
    assert "checked" not in form.split('name="lives_with_children"')[1].split(">")[0]

    response = client.post(url, adult_data(discussion, relationship="birth_parent_elsewhere"))
    assert response.status_code == 200
    assert "A birth parent living elsewhere does not live in the children&#x27;s household" in (
        response.text
    )
    assert not Adult.objects.filter(name="Robin Examplefield").exists()


def test_a_child_nhs_number_is_kept_and_shown(discussion, chair, client_for):
    from tests.strategy.test_views import child_data

    client = client_for(chair)
    client.post(
        reverse("strategy:child_add", args=[discussion.pk]),
        child_data(discussion, nhs_number="401-023-2137"),
    )
    cleo = Child.objects.get(first_name="Cleo")
    assert cleo.nhs_number == CHILD_NHS
    page = client.get(reverse("strategy:summary", args=[discussion.pk])).text
    assert "401 023 2137" in page


def test_invitations_and_minutes_name_everyone_with_what_finds_their_records(discussion):
    Child.objects.filter(first_name="Ada").update(nhs_number=CHILD_NHS)
    Adult.objects.filter(name="Morgan Testcase").update(
        date_of_birth=date(1994, 8, 12), nhs_number=ADULT_NHS, address="4 Gull Terrace\nSaltmarsh"
    )
    lines = family_lines(discussion)
    assert "Ada Testcase, born 1 May 2020, NHS number 401 023 2137" in lines
    assert (
        "Morgan Testcase, mother, born 12 August 1994, NHS number 943 476 5919, "
        "address 4 Gull Terrace, Saltmarsh"
    ) in lines
    assert "Sam Otherfield, birth parent living elsewhere" in lines  # nothing more recorded

    document = minutes_snapshot(discussion)
    [ada] = [c for c in document["children"] if c["name"] == "Ada Testcase"]
    assert ada["nhs_number"] == "401 023 2137"
    [morgan] = [a for a in document["adults"] if a["name"] == "Morgan Testcase"]
    assert morgan["identifiers"] == "born 12 August 1994, NHS number 943 476 5919"
    assert morgan["address"] == "4 Gull Terrace\nSaltmarsh"


@pytest.mark.parametrize(
    "query",
    ["Morgan Testcase", "testcase ada", "1/5/2020", "01/05/2020", "1 May 2020", ADULT_NHS],
)
def test_search_finds_a_discussion_by_any_person_in_it(discussion, chair, client_for, query):
    Adult.objects.filter(name="Morgan Testcase").update(nhs_number=ADULT_NHS)
    page = client_for(chair).get(reverse("strategy:list"), {"q": query}).text
    assert discussion.reference in page
    assert "Ada Testcase, born 1 May 2020" in page  # the list says who it is about


@pytest.mark.parametrize("query", ["Morgan Nobody", "2/5/2020", "4010232138"])
def test_search_does_not_match_on_part_of_a_person(discussion, chair, client_for, query):
    page = client_for(chair).get(reverse("strategy:list"), {"q": query}).text
    assert discussion.reference not in page
