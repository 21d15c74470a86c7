"""A chair takes a strategy discussion from scheduling to a follow-up, in the browser.

Every page the chair sees is checked with axe-core (WCAG 2.2 A and AA), each form both as
it first opens and when it shows the chair a mistake. All the people and places are fictional.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from agencies.models import AgencyKind
from strategy.models import Adult, Child, Discussion, ProfessionalDifference
from strategy.working_days import add_working_days
from tests.browser.conftest import assert_accessible, assert_fits_a_phone, sign_in
from tests.factories import AgencyFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.browser

POLICE = "Eastmere Constabulary"
SOCIAL_CARE = "Eastmere Children's Social Care"
HOSPITAL = "Eastmere General Hospital"
HEALTH_VISITING = "Eastmere Health Visiting"
GP_CHILDREN = "Riverside Medical Centre"
GP_MOTHER = "Harbour Lane Surgery"
GP_FATHER = "Millbrook Family Practice"
HOUSING = "Eastmere Housing Options"
SCHOOL = "Saltmarsh Primary School"


def the_county() -> None:
    """The fictional county of Eastmere: its agencies, a team, a chair and a minute-taker."""
    K = AgencyKind
    AgencyFactory(name=POLICE, kind=K.POLICE)
    social_care = AgencyFactory(name=SOCIAL_CARE, kind=K.CHILDRENS_SOCIAL_CARE)
    AgencyFactory(name=HOSPITAL, kind=K.ACUTE_HOSPITAL_TRUST)
    AgencyFactory(name=HEALTH_VISITING, kind=K.PUBLIC_HEALTH_NURSING)
    for practice in (GP_CHILDREN, GP_MOTHER, GP_FATHER):
        AgencyFactory(name=practice, kind=K.GP_PRACTICE)
    AgencyFactory(name=HOUSING, kind=K.HOUSING)
    AgencyFactory(name=SCHOOL, kind=K.EDUCATION)
    team = TeamFactory(name="Eastmere North Assessment Team", agency=social_care)
    UserFactory(username="chris", first_name="Chris", last_name="Chair", role="chair", team=team)
    UserFactory(
        username="mina", first_name="Mina", last_name="Minutes", role="minute_taker", team=team
    )


# --- Helpers a person would recognise: fill a GOV.UK date, submit, see an error. ------------


def date_group(page: Page, legend: str) -> Locator:
    """The fieldset of a GOV.UK date input, found by its legend."""
    return page.get_by_role("group", name=legend, exact=True)


def fill_date(page: Page, legend: str, day: date) -> None:
    """Types a date into the Day, Month and Year boxes of a GOV.UK date input."""
    group = date_group(page, legend)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def date_typed(page: Page, legend: str) -> list[str]:
    """What the Day, Month and Year boxes hold."""
    group = date_group(page, legend)
    return [group.get_by_label(part, exact=True).input_value() for part in ("Day", "Month", "Year")]


def press(page: Page, button: str) -> None:
    """Presses a button, waits for the page the server sends back and checks it with axe,
    at desktop width and on a 375 px phone."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    assert_accessible(page)
    assert_fits_a_phone(page)


def follow(page: Page, link: str) -> None:
    """Follows a link, waits for the page and checks it with axe, at desktop width and on a
    375 px phone."""
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).click()
    assert_accessible(page)
    assert_fits_a_phone(page)


def error_summary(page: Page) -> Locator:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    return summary


def long_date(day: date) -> str:
    """As the pages show it: 'Monday 7 December 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def child_card(page: Page, name: str) -> Locator:
    """A child's summary card on the discussion page."""
    return page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def task(page: Page, key: str) -> Locator:
    """One section of the discussion's task list."""
    return page.locator(f"li#{key}")


def to_full_record(page: Page) -> None:
    follow(page, "View the full record and the messages sent")
    expect(page.get_by_role("heading", level=1)).to_contain_text("SD-")


def agency_section(page: Page, agency: str) -> Locator:
    """One agency's fieldset on the attendance and positions pages."""
    return page.get_by_role("group", name=agency, exact=True)


# --- The flow ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_chair_takes_a_discussion_from_scheduling_to_follow_up(page: Page) -> None:
    the_county()
    today = timezone.localdate()
    # The discussion was held yesterday morning; the chair records it afterwards.
    held_on = today - timedelta(days=1)

    sign_in(page, "chris")  # checks the sign-in page with axe
    expect(page.get_by_role("link", name="Discussions", exact=True)).to_be_visible()
    assert_accessible(page)
    follow(page, "Discussions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy discussions")

    # -- 2. Schedule the discussion: a first try names the chair as minute-taker too. -----
    press(page, "Schedule a discussion")  # a link styled and announced as a button
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a strategy discussion")
    page.get_by_label("Video call").check()
    page.get_by_label("Immediate", exact=True).check()
    fill_date(page, "Date of the discussion", held_on)
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Joining details").fill("Video link sent separately")
    page.get_by_label("Why the discussion is needed").fill(
        "Bruising to a baby's cheek seen by the health visitor; the family are about to "
        "lose their tenancy."
    )
    page.get_by_label("Physical abuse").check()
    page.get_by_label("Neglect").check()
    page.get_by_label("Referring agency").select_option(label=HEALTH_VISITING)
    page.get_by_label("Referrer's name and role").fill("Health visitor")
    page.get_by_label("Housing is a factor").check()
    expect(page.get_by_label("Convening team").locator("option:checked")).to_have_text(
        "Eastmere North Assessment Team"
    )
    expect(page.get_by_label("Chair", exact=True).locator("option:checked")).to_have_text(
        "Chris Chair"
    )
    page.get_by_label("Minute-taker").select_option(label="Chris Chair")
    press(page, "Save and continue")

    summary = error_summary(page)
    expect(summary).to_contain_text("The minute-taker must be someone other than the chair")
    assert date_typed(page, "Date of the discussion") == [
        str(held_on.day),
        str(held_on.month),
        str(held_on.year),
    ]
    expect(page.get_by_label("Time", exact=True)).to_have_value("10:00")
    expect(page.get_by_label("Why the discussion is needed")).to_contain_text("health visitor")
    expect(page.get_by_label("Video call")).to_be_checked()
    expect(page.get_by_label("Neglect")).to_be_checked()
    expect(page.get_by_label("Housing is a factor")).to_be_checked()
    assert not Discussion.objects.exists()

    page.get_by_label("Minute-taker").select_option(label="Mina Minutes")
    press(page, "Save and continue")  # on to the next section: the first child
    discussion = Discussion.objects.get()
    expect(page.get_by_text(f"Discussion {discussion.reference} scheduled")).to_be_visible()
    assert discussion.housing_is_factor

    # -- 3. The children and the adults around them. ---------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a child")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Testcase")
    fill_date(page, "Date of birth", today + timedelta(days=30))  # a slip of the keyboard
    page.get_by_label("needs and the impact on them").fill(
        "Ada is quiet at school and often hungry."
    )
    page.get_by_label("School or nursery").select_option(label=SCHOOL)
    page.get_by_label("GP practice").select_option(label=GP_CHILDREN)
    press(page, "Save child")
    expect(error_summary(page)).to_contain_text("The date of birth must be in the past")
    expect(page.get_by_label("First name")).to_have_value("Ada")
    assert not Child.objects.exists()

    ada_born = date(today.year - 6, 5, 1)
    fill_date(page, "Date of birth", ada_born)
    press(page, "Save child")
    expect(task(page, "children")).to_contain_text("Ada Testcase")
    expect(task(page, "children")).to_contain_text("Completed")
    # Before anyone is invited there is nothing to warn about: the invite list is not chosen.
    expect(task(page, "invitees")).to_contain_text("Not yet started")
    expect(page.get_by_text("Not invited and no reason recorded")).to_have_count(0)

    follow(page, "Add a child")
    # Ada's draft was cleared when she was saved, so the form opens empty.
    expect(page.get_by_label("First name")).to_have_value("")
    expect(page.get_by_text("We kept what you typed before")).to_have_count(0)
    page.get_by_label("First name").fill("Bo")
    page.get_by_label("Last name").fill("Testcase")
    fill_date(page, "Date of birth", today - timedelta(days=200))
    page.get_by_label("needs and the impact on them").fill("A baby with bruising to the cheek.")
    page.get_by_label("GP practice").select_option(label=GP_CHILDREN)
    press(page, "Save child")
    expect(task(page, "children")).to_contain_text("Ada Testcase, Bo Testcase")

    adults = [
        ("Morgan Testcase", "Mother", True, GP_MOTHER),
        ("Sam Otherfield", "Birth parent living elsewhere", False, GP_FATHER),
        ("Lee Partner", "Partner of a parent", True, GP_MOTHER),
    ]
    for index, (name, relationship, lives_with_children, practice) in enumerate(adults):
        follow(page, "Add a household member or significant adult")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Add a household member or significant adult"
        )
        page.get_by_label("Full name").fill(name)
        page.get_by_label("GP practice").select_option(label=practice)
        if index == 0:
            # Forgetting the relationship is caught, and the name is kept.
            press(page, "Save person")
            expect(error_summary(page)).to_contain_text("Select their relationship to the children")
            expect(page.get_by_label("Full name")).to_have_value(name)
            assert not Adult.objects.exists()
        page.get_by_label(relationship, exact=True).check()
        page.get_by_label("Lives in the children's household").set_checked(lives_with_children)
        press(page, "Save person")
        expect(task(page, "household")).to_contain_text(name)
    to_full_record(page)
    for name in ("Ada Testcase", "Bo Testcase"):
        expect(child_card(page, name)).to_be_visible()
    household = page.get_by_role("table", name="Household and significant adults")
    expect(household).to_contain_text("Birth parent living elsewhere")
    expect(household).to_contain_text(GP_FATHER)
    follow(page, "Back to the task list")

    # -- 4. Invitees: the record proposes both parents' GP practices and housing. ----------
    follow(page, "Choose invitees")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who to invite")
    for agency in (
        POLICE,
        SOCIAL_CARE,
        HOSPITAL,
        HEALTH_VISITING,
        GP_CHILDREN,
        GP_MOTHER,
        GP_FATHER,
        HOUSING,
        SCHOOL,
    ):
        expect(page.get_by_role("checkbox", name=agency, exact=True)).to_be_checked()
    # Each parent's practice is proposed, saying whose GP it is (never a name).
    expect(page.get_by_role("checkbox", name=GP_MOTHER)).to_have_accessible_description(
        "GP practice of a mother and a partner of a parent"
    )
    expect(page.get_by_role("checkbox", name=GP_FATHER)).to_have_accessible_description(
        "GP practice of a birth parent living elsewhere"
    )
    expect(page.get_by_role("checkbox", name=HOUSING)).to_have_accessible_description(
        "Housing is a factor"
    )

    # Leaving housing out needs a reason; the chair changes their mind and keeps it in.
    page.get_by_role("checkbox", name=HOUSING, exact=True).uncheck()
    press(page, "Save invite list and send invitations")
    expect(error_summary(page)).to_contain_text("Give a reason for not inviting Housing")
    expect(page.get_by_role("checkbox", name=HOUSING, exact=True)).not_to_be_checked()
    expect(page.get_by_role("checkbox", name=GP_FATHER, exact=True)).to_be_checked()
    assert not discussion.invitees.exists()

    page.get_by_role("checkbox", name=HOUSING, exact=True).check()
    press(page, "Save invite list and send invitations")
    expect(task(page, "invitees")).to_contain_text("Completed")
    expect(task(page, "invitees")).to_contain_text("9 agencies invited")
    to_full_record(page)
    invited = page.get_by_role("table", name="Invited agencies")
    for agency in (POLICE, SOCIAL_CARE, HOSPITAL, GP_MOTHER, GP_FATHER, HOUSING):
        expect(invited).to_contain_text(agency)
    assert discussion.invitees.count() == 9
    follow(page, "Back to the task list")

    # -- 5. Who took part and what they shared. ---------------------------------------------
    follow(page, "Attendance and information shared")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance and information shared")
    representatives = {
        POLICE: "DC Priya Shah, child abuse investigation team",
        SOCIAL_CARE: "Jo Baker, team manager",
        HOSPITAL: "Dr Ken Ade, named doctor",
    }
    for agency, representative in representatives.items():
        section = agency_section(page, agency)
        section.get_by_label("Attended", exact=True).check()
        section.get_by_label("Who took part (name and role)").fill(representative)
        section.get_by_label("Can they make decisions?").select_option(label="Yes")
    agency_section(page, HEALTH_VISITING).get_by_label("Apologies").check()
    for agency in (GP_CHILDREN, GP_MOTHER, GP_FATHER, HOUSING, SCHOOL):
        agency_section(page, agency).get_by_label("Did not attend").check()
    # One short row per agency: what each shared is on a page of its own, taken in turn.
    expect(page.get_by_label("Information shared")).to_have_count(0)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 4500, f"the attendance page for 9 agencies is {height} px tall"
    press(page, "Save and record information shared")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"Information shared by {SOCIAL_CARE}")
    expect(page.get_by_text("Attended: Jo Baker, team manager.")).to_be_visible()
    page.get_by_label("Information shared").fill("Open to the team since a referral in March.")
    press(page, f"Save and go to {POLICE}")
    expect(heading).to_have_text(f"Information shared by {POLICE}")
    shared = "Sam Otherfield was arrested in 2024 for assault on a former partner."
    page.get_by_label("Information shared").fill(shared)
    page.get_by_label("Scaling, 0 to 10").fill("eleven")
    press(page, "Save information shared")
    expect(error_summary(page)).to_contain_text("Scaling must be a whole number from 0 to 10")
    expect(page.get_by_label("Information shared")).to_have_value(shared)
    page.get_by_label("Scaling, 0 to 10").fill("3")
    press(page, "Save information shared")  # back to the attendance page
    expect(heading).to_have_text("Attendance and information shared")
    expect(page.get_by_text(f"Information shared by {POLICE} saved")).to_be_visible()
    expect(agency_section(page, POLICE)).to_contain_text(
        "Information shared: recorded, scaling 3 out of 10."
    )
    expect(agency_section(page, POLICE).get_by_label("Attended", exact=True)).to_be_checked()
    follow(page, f"Change the information shared by {POLICE}")
    expect(page.get_by_label("Information shared")).to_have_value(shared)
    follow(page, "Back to the discussion")
    expect(task(page, "attendance")).to_contain_text(
        "3 of 9 agencies attended; information shared recorded for 2"
    )
    follow(page, "Attendance and information shared")
    press(page, "Save attendance")
    expect(page.get_by_text("Attendance saved")).to_be_visible()
    expect(task(page, "attendance")).to_contain_text("3 of 9 agencies attended")

    # -- 6. Ada: threshold met, a joint section 47 enquiry; the police disagree. ----------
    # The decision and each attending agency's position on it: one page, one submission.
    follow(page, "Decision for Ada Testcase")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision for Ada Testcase")
    expect(
        page.get_by_role("heading", name="Each attending agency's position on this decision")
    ).to_be_visible()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Section 47 enquiry, joint with police").check()
    press(page, "Save decision and positions")  # without the rationale
    expect(error_summary(page)).to_contain_text("Give the rationale for the decision")
    page.get_by_label("Rationale").fill(
        "Unexplained bruising to a non-mobile sibling and a history of domestic abuse."
    )
    for agency in (SOCIAL_CARE, HOSPITAL):
        agency_section(page, agency).get_by_label("Agrees", exact=True).check()
    # The reason is asked for only under "Disagrees" and "Abstains" (a conditional reveal).
    police = agency_section(page, POLICE)
    why = police.get_by_label(f"Why {POLICE} disagrees")
    expect(why).to_be_hidden()
    expect(police.get_by_label(f"Why {POLICE} abstains")).to_be_hidden()
    police.get_by_label("Disagrees", exact=True).check()
    expect(why).to_be_visible()
    expect(police.get_by_label(f"Why {POLICE} abstains")).to_be_hidden()
    assert_accessible(page)
    press(page, "Save decision and positions")
    expect(error_summary(page)).to_contain_text(f"Give the reason {POLICE} disagrees")
    expect(agency_section(page, POLICE).get_by_label("Disagrees", exact=True)).to_be_checked()
    expect(page.get_by_label("Rationale")).to_contain_text("Unexplained bruising")
    assert not discussion.children.filter(decision__isnull=False).exists()  # nothing saved
    reason = "A single-agency enquiry is enough until the medical is done."
    agency_section(page, POLICE).get_by_label(f"Why {POLICE} disagrees").fill(reason)
    press(page, "Save decision and positions")
    expect(
        page.get_by_text("Decision for Ada Testcase and each agency's position on it saved")
    ).to_be_visible()

    to_full_record(page)
    expect(page.get_by_role("heading", name=f"{POLICE} (scaling 3 out of 10)")).to_be_visible()
    disagreement = page.get_by_role(
        "region", name="Disagreement with the decision for Ada Testcase"
    )
    expect(disagreement).to_contain_text(f"{POLICE} disagrees: {reason}")
    conference_due = add_working_days(held_on, 15)
    expect(page.locator(".govuk-summary-list__row", has_text="conference due by")).to_contain_text(
        long_date(conference_due)
    )

    follow(page, f"Start a Resolving Professional Differences record for {POLICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Resolving Professional Differences: stage 1"
    )
    expect(page.get_by_label("Who raised it")).to_have_value(representatives[POLICE])
    expect(page.get_by_label("The issue")).to_have_value(reason)
    press(page, "Open stage 1 record")  # without saying who it was raised with
    expect(error_summary(page)).to_contain_text("Enter who it was raised with")
    assert not ProfessionalDifference.objects.exists()
    page.get_by_label("With whom").fill("Chris Chair, chair of the strategy discussion")
    press(page, "Open stage 1 record")
    expect(page.get_by_role("heading", name="Resolving Professional Differences")).to_contain_text(
        "Stage 1"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text(representatives[POLICE])
    follow(page, "Back to the discussion")

    # -- 7. Bo: threshold not met, no further action, agreed by everyone attending. -------
    follow(page, "Decision for Bo Testcase")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Rationale").fill("The bruise was explained by the hospital's examination.")
    page.get_by_label("No further action").check()
    for agency in (POLICE, SOCIAL_CARE, HOSPITAL):
        agency_section(page, agency).get_by_label("Agrees", exact=True).check()
    press(page, "Save decision and positions")
    expect(page.get_by_text("Agreed by all attending agencies")).to_be_visible()  # task list

    # Changing Bo's decision on the page asks for every position again: the agreement shown
    # was given on the earlier decision.
    follow(page, "Decision for Bo Testcase")
    expect(agency_section(page, POLICE).get_by_label("Agrees", exact=True)).to_be_checked()
    page.get_by_label("No further action").uncheck()
    page.get_by_label("Section 17 child and family assessment").check()
    press(page, "Save decision and positions")
    expect(error_summary(page)).to_contain_text("You changed the decision")
    expect(agency_section(page, POLICE)).to_contain_text("On the earlier decision: Agrees")
    expect(agency_section(page, POLICE).get_by_label("Agrees", exact=True)).not_to_be_checked()
    page.get_by_label(
        "Every attending agency agrees, apart from those marked otherwise below"
    ).check()
    press(page, "Save decision and positions")
    expect(page.get_by_text("Agreed by all attending agencies")).to_be_visible()

    # -- 8. An action. ------------------------------------------------------------------------
    follow(page, "Add an action")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    page.get_by_label("What needs to happen").fill("Arrange a child protection medical for Bo.")
    page.get_by_label("Agency", exact=True).select_option(label=HOSPITAL)
    page.get_by_label("Named person").fill("Dr Ken Ade")
    fill_date(page, "Due by", today - timedelta(days=1))
    page.get_by_label("Why", exact=True).fill("To understand the bruising.")
    press(page, "Add action")
    expect(error_summary(page)).to_contain_text("The due date must be today or in the future")
    due = today + timedelta(days=2)
    fill_date(page, "Due by", due)
    press(page, "Add action")
    expect(task(page, "actions")).to_contain_text("1 agreed")
    to_full_record(page)
    actions = page.locator("#actions-list")
    expect(actions).to_contain_text("Arrange a child protection medical for Bo.")
    expect(actions).to_contain_text(f"Dr Ken Ade, {HOSPITAL}")
    expect(actions).to_contain_text(f"{due.day} {due:%B %Y}")
    follow(page, "Back to the task list")

    # -- 9. The outcome is final only after a check of the whole record. -------------------
    expect(task(page, "outcome")).to_contain_text("Not yet started")
    follow(page, "Record the outcome as final")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the record before the outcome is final"
    )
    expect(page.get_by_text(f"{POLICE}: disagrees ({reason})")).to_be_visible()
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None  # looking changes nothing
    press(page, "Record the outcome as final")
    # The chair approves the minutes, so goes straight on to checking them and who gets
    # them; nothing is sent without the button there.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the minutes before you send them"
    )
    expect(page.get_by_text("Outcome recorded as final")).to_be_visible()
    expect(page.get_by_role("button", name="Approve and send to 9 agencies")).to_be_visible()
    assert not discussion.minutes_versions.exists()
    follow(page, "Back to the minutes")
    follow(page, "Back to the discussion")
    expect(task(page, "outcome")).to_contain_text("Completed")

    # -- 10. A follow-up, in the same series, about the same family. -----------------------
    follow(page, "Schedule a follow-up discussion")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a follow-up discussion")
    fill_date(page, "Date of the follow-up discussion", today + timedelta(days=7))
    page.get_by_label("Time", exact=True).fill("14:30")
    fill_date(page, "Must be held by", held_on - timedelta(days=1))
    press(page, "Schedule follow-up")
    expect(error_summary(page)).to_contain_text(
        "The follow-up must be due on or after the discussion it follows"
    )
    fill_date(page, "Must be held by", today + timedelta(days=10))
    press(page, "Schedule follow-up")

    follow_up = Discussion.objects.get(follows=discussion)
    assert follow_up.reference != discussion.reference
    # The chair stays on this discussion; the follow-up is a link from it.
    expect(page.get_by_role("heading", level=1)).to_contain_text(discussion.reference)
    expect(page.get_by_text(f"Follow-up {follow_up.reference} scheduled")).to_be_visible()
    follow(page, follow_up.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text(follow_up.reference)
    to_full_record(page)
    for child in ("Ada Testcase", "Bo Testcase"):
        expect(child_card(page, child)).to_be_visible()
    household = page.get_by_role("table", name="Household and significant adults")
    for name, *_ in adults:
        expect(household).to_contain_text(name)
    expect(page.get_by_role("link", name=discussion.reference)).to_be_visible()
