"""The chair's journey (issue 11): the standard family, from sign-in to approval confirmed.

Runs the service on its embedded default (SQLite, a filesystem broker, email to files) in a
temporary folder, loads the fictional demo data, and drives Debian's Chromium through the
quickest path a trained chair takes today. Playwright counts, not a person:

- clicks: every click, tick or choice from a drop-down a person makes (one each);
- fields typed: every text box or date part filled;
- page loads: main-frame navigations (new documents, after any redirect);
- form submissions: POSTs that navigate the main frame.

Run it with `.venv/bin/python bench/journey.py` (see bench/README.md, "Journey"). Exit status:
0 if both targets are met, 1 if one is missed, 2 if the journey could not be completed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, Request, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The embedded default: nothing here may reach PostgreSQL, Redis or a real mail server.
SERVER_ENV_DROPPED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL")
PASSWORD = "eastmere-demo-2026"  # noqa: S105 - the demo data's password, fictional users only

TARGET = {"clicks": 60, "page loads": 30}
GOAL = {"clicks": 40, "page loads": 20}
# The first build, as issue 11 measured it.
BEFORE = {
    "clicks": "about 133",
    "fields typed": "113",
    "page loads": "65",
    "form submissions": "27",
    "distinct pages": "20",
}

# --- The standard family: two children (one unborn), three adults, 12 agencies. ----------
# Every person and place is fictional (the demo county of Eastmere).
SOCIAL_CARE = "Eastmere Children's Social Care"
POLICE = "Eastmere Constabulary Public Protection Unit"
HOSPITAL = "Eastmere General Hospital NHS Trust"
HEALTH_VISITING = "Eastmere Health Visiting Service"
MIDWIFERY = "Eastmere Maternity and Midwifery"
GP_CHILDREN = "Riverside Medical Centre"
GP_MOTHER = "Harbour Lane Surgery"
GP_FATHER = "Millbrook Family Practice"
HOUSING = "Eastmere Council Housing Options"
HOUSING_ASSOCIATION = "Eastmere Homes"
SCHOOL = "Saltmarsh Primary School"
PROBATION = "Eastmere Probation Delivery Unit"  # not proposed by the record: added by hand
INVITED = [
    SOCIAL_CARE,
    POLICE,
    HOSPITAL,
    HEALTH_VISITING,
    MIDWIFERY,
    GP_CHILDREN,
    GP_MOTHER,
    GP_FATHER,
    HOUSING,
    HOUSING_ASSOCIATION,
    SCHOOL,
    PROBATION,
]
# Who took part and what they shared (brief). Eight attend, two send apologies, two do not.
ATTENDED = {
    SOCIAL_CARE: ("Jo Baker, team manager", "Open to the team since a referral in March."),
    POLICE: ("DS Priya Wrenfield", "Sam Otherfield: a 2024 assault on a former partner."),
    HOSPITAL: ("Moira Tallant, named nurse", "Ada seen in A&E in May with a wrist injury."),
    HEALTH_VISITING: ("Grace Ottley, health visitor", "Morgan missed two antenatal checks."),
    MIDWIFERY: ("Lin Carter, midwife", "Booked late at 24 weeks; due in six weeks."),
    GP_CHILDREN: ("Dr Samuel Orrin, GP lead", "Ada's immunisations are up to date."),
    HOUSING: ("Tom Ashworth, housing options", "Notice to quit served; ends next month."),
    SCHOOL: ("Ruth Kendry, DSL", "Ada often hungry and tired; attendance 82%."),
}
APOLOGIES = [GP_MOTHER, PROBATION]
DID_NOT_ATTEND = [GP_FATHER, HOUSING_ASSOCIATION]
assert sorted([*ATTENDED, *APOLOGIES, *DID_NOT_ATTEND]) == sorted(INVITED)
# What each agency shared is a page of its own (a click and a page load each). By default the
# chair records it for every attending agency, as the journey always has (the before and
# after figures are the same work); --shared-by 4 records it for the first four the service
# offers (social care, police, housing, hospital).
SHARED_BY = 8
ADULTS = [
    # name, relationship, lives with the children, GP practice
    ("Morgan Testcase", "Mother", True, GP_MOTHER),
    ("Sam Otherfield", "Birth parent living elsewhere", False, GP_FATHER),
    ("Lee Partner", "Partner of a parent", True, GP_MOTHER),
]

DUMP_PAGE = """() => [
  location.pathname,
  ...[...document.querySelectorAll('.govuk-error-summary, .govuk-notification-banner, main h1')]
    .map(e => e.tagName + ': ' + e.innerText.trim().replace(/\\s+/g, ' ').slice(0, 300))
].join('\\n')"""


# --- Counting ----------------------------------------------------------------------------


def page_key(url: str) -> str:
    """A URL's path with every id replaced by <id>: what makes a page distinct."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0].split("#")[0]
    return re.sub(r"/\d+(?=/|$)", "/<id>", path) or "/"


@dataclass
class Tally:
    clicks: int = 0
    fields: int = 0
    loads: int = 0
    documents: int = 0  # "load" events: a cross-check on loads
    posts: int = 0
    pages: list[str] = field(default_factory=list)  # every page load, in order
    clicks_on: Counter[str] = field(default_factory=Counter)
    fields_on: Counter[str] = field(default_factory=Counter)
    loads_of: Counter[str] = field(default_factory=Counter)


class Journey:
    """The four things a person does, each counted, and the two things a browser does."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.tally = Tally()
        page.on("framenavigated", self._navigated)
        page.on("request", self._requested)
        page.on("load", self._loaded)

    def _loaded(self, _: Page) -> None:
        self.tally.documents += 1

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            key = page_key(frame.url)
            self.tally.loads += 1
            self.tally.pages.append(key)
            self.tally.loads_of[key] += 1

    def _requested(self, request: Request) -> None:
        if (
            request.method == "POST"
            and request.is_navigation_request()
            and request.frame == self.page.main_frame
        ):
            self.tally.posts += 1

    @property
    def here(self) -> str:
        return page_key(self.page.url)

    # What a person does.
    def click(self, locator: Locator, *, navigates: bool = True) -> None:
        self.tally.clicks += 1
        self.tally.clicks_on[self.here] += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
        else:
            locator.click()

    def check(self, locator: Locator) -> None:
        self.tally.clicks += 1
        self.tally.clicks_on[self.here] += 1
        locator.check()

    def select(self, locator: Locator, option: str) -> None:
        self.tally.clicks += 1
        self.tally.clicks_on[self.here] += 1
        locator.select_option(label=option)

    def fill(self, locator: Locator, text: str) -> None:
        self.tally.fields += 1
        self.tally.fields_on[self.here] += 1
        locator.fill(text)

    # The same, by what the person reads on the page.
    def follow(self, link: str, within: Locator | Page | None = None) -> None:
        self.click((within or self.page).get_by_role("link", name=link, exact=True).first)

    def press(self, button: str) -> None:
        self.click(self.page.get_by_role("button", name=button, exact=True))
        errors = self.page.locator(".govuk-error-summary")
        if errors.count():
            raise RuntimeError(f"{self.here}: {errors.inner_text()}")

    def label(self, text: str, within: Locator | Page | None = None) -> Locator:
        return (within or self.page).get_by_label(text, exact=True)

    def fill_date(self, legend: str, day: date) -> None:
        group = self.page.get_by_role("group", name=legend, exact=True)
        for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
            self.fill(group.get_by_label(part, exact=True), str(value))

    def heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def agency(self, name: str) -> Locator:
        """One agency's fieldset on the attendance and positions pages."""
        return self.page.get_by_role("group", name=name, exact=True)


# --- The journey ---------------------------------------------------------------------------


def chair_journey(j: Journey, backup_code: str, shared_by: int) -> None:
    page = j.page
    today = date.today()
    held_on = today - timedelta(days=1)

    # 1. Sign in: password, then a backup code as the second factor.
    page.goto("/sign-in/")
    j.fill(j.label("Username"), "chair")
    j.fill(j.label("Password"), PASSWORD)
    j.press("Sign in")
    j.fill(j.label("Security code"), backup_code)
    j.press("Continue")

    # 2. Schedule the discussion (held yesterday; the chair records it afterwards).
    j.press("Schedule a discussion")  # on the chair's home page: a link styled as a button
    j.heading("Schedule a strategy discussion")
    j.check(j.label("Video call"))
    j.check(j.label("Immediate"))
    j.fill_date("Date of the discussion", held_on)
    j.fill(j.label("Time"), "10:00")
    j.fill(
        j.label("Why the discussion is needed"),
        "Ada, 6, has unexplained bruising; her mother is 34 weeks pregnant and the family "
        "are about to lose their tenancy.",
    )
    j.check(j.label("Physical abuse"))
    j.check(j.label("Pre-birth concern"))
    j.select(j.label("Referring agency"), SCHOOL)
    j.check(page.get_by_label("Housing is a factor"))
    j.select(j.label("Minute-taker"), "Mina Takeley")
    j.press("Save and continue")  # on to the next section: adding the first child

    # 3. The children: Ada, and an unborn baby.
    j.heading("Add a child")
    j.fill(j.label("First name"), "Ada")
    j.fill(j.label("Last name"), "Testcase")
    j.fill_date("Date of birth", date(today.year - 6, 5, 1))
    j.fill(page.get_by_label("needs and the impact on them"), "Bruising to both upper arms.")
    j.select(j.label("School or nursery"), SCHOOL)
    j.select(j.label("GP practice"), GP_CHILDREN)
    j.press("Save and add another child")

    j.heading("Add a child")
    j.fill(j.label("First name"), "Baby")
    j.fill(j.label("Last name"), "Testcase")
    j.check(j.label("This is an unborn child"))
    j.fill_date("Expected date of delivery", today + timedelta(days=42))
    j.fill(page.get_by_label("needs and the impact on them"), "Due in six weeks; late booking.")
    j.press("Save and continue")  # on to the household, the next section

    # 4. The household and significant adults, one after another.
    for index, (name, relationship, lives_with_children, practice) in enumerate(ADULTS):
        j.heading("Add a household member or significant adult")
        j.fill(j.label("Full name"), name)
        j.check(j.label(relationship))
        if lives_with_children:
            j.check(j.label("Lives in the children's household"))
        j.select(j.label("GP practice"), practice)
        last = index == len(ADULTS) - 1
        j.press("Save and continue" if last else "Save and add another person")

    # 5. Invitees: the record proposes eleven; probation is added by hand.
    j.heading("Who to invite")
    for agency in INVITED:
        if agency != PROBATION:
            expect(page.get_by_role("checkbox", name=agency, exact=True)).to_be_checked()
    j.select(page.get_by_label("Add another agency"), PROBATION)
    j.press("Save and continue")

    # 6. Attendance, one short row per agency; then what each agency shared, a page each,
    # taken in the order the service offers them (the agencies that took part, by name).
    j.heading("Attendance and information shared")
    j.check(page.get_by_label("Every agency attended, apart from those marked otherwise below"))
    for agency, (who, _) in ATTENDED.items():
        j.fill(j.agency(agency).get_by_label("Who took part (name and role)"), who)
    for agency in APOLOGIES:
        j.check(j.label("Apologies", j.agency(agency)))
    for agency in DID_NOT_ATTEND:
        j.check(j.label("Did not attend", j.agency(agency)))
    j.press("Save and record information shared" if shared_by else "Save and continue")
    for index in range(shared_by):
        agency = page.get_by_role("heading", level=1).inner_text()
        agency = agency.removeprefix("Information shared by ").strip()
        j.fill(j.label("Information shared"), ATTENDED[agency][1])
        if index < shared_by - 1:
            j.click(page.get_by_role("button", name=re.compile(r"^Save and go to ")))
        else:
            j.press("Save and continue")  # on to the next section

    # 7. Analysis is not part of the journey: "Save and continue" passes over it.
    j.heading("Analysis")
    j.press("Save and continue")

    # 8. Each child's voice, in the order the task list gives the children.
    voices = {
        "Ada Testcase": ("Ada says she is scared when Lee shouts.", "Seen alone at school."),
        "Baby Testcase": ("Unborn: the mother's own account.", "Midwife's home visit."),
    }
    for _ in voices:
        title = page.get_by_role("heading", level=1).inner_text()
        child = title.removeprefix("The voice of ").strip()
        wishes, obtained = voices[child]
        j.fill(j.label("The child's wishes and feelings"), wishes)
        j.fill(page.get_by_label("How the child's voice was obtained"), obtained)
        j.press("Save and continue")

    # 9. Each child's decision, with its rationale, and every attending agency's position.
    rationales = {
        "Ada Testcase": "Unexplained bruising and domestic abuse in the household.",
        "Baby Testcase": "Born into the same household, with the same risks.",
    }
    for _ in rationales:
        child = page.get_by_role("heading", level=1).inner_text().removeprefix("Decision for ")
        child = child.strip()
        j.fill(j.label("Rationale"), rationales[child])
        j.check(j.label("Yes"))
        j.check(j.label("Section 47 enquiry, joint with police"))
        # The positions are below the decision, on the same page.
        j.check(
            page.get_by_label(
                "Every attending agency agrees, apart from those marked otherwise below"
            )
        )
        j.press("Save and continue")  # the next child's decision, then the actions

    # 10. An action, and the plan.
    j.heading("Add an action")
    j.fill(j.label("What needs to happen"), "Child protection medical for Ada.")
    j.select(j.label("Agency"), HOSPITAL)
    j.fill(j.label("Named person"), "Moira Tallant")
    j.fill_date("Due by", today + timedelta(days=2))
    j.fill(j.label("Why"), "To explain the bruising.")
    j.press("Save and continue")  # on to the plan
    j.fill(j.label("Contingency plan"), "If the family leave the address, police check.")
    j.fill(j.label("What will be shared with the family"), "The enquiry and why.")
    j.press("Save and continue")  # straight on to the check before the outcome is final

    # 11. The outcome is final after a check of the whole record.
    j.heading("Check the record before the outcome is final")
    j.press("Record the outcome as final")  # the chair goes on to check the minutes

    # 12. The minutes: check them and who gets them, then approve.
    j.heading("Check the minutes before you send them")
    j.press(f"Approve and send to {len(INVITED)} agencies")
    expect(page.get_by_role("heading", name="Minutes approved")).to_be_visible()
    expect(page.get_by_text("It is being sent to")).to_be_visible()


# --- The service, on its embedded default in a temporary folder -----------------------------


def server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROPPED}
    env.update(
        VAR_DIR=str(var_dir),
        DEBUG="true",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def demo_data(env: dict[str, str]) -> str:
    """Loads the demo county and returns one of the chair's fresh backup codes."""
    out = manage(env, "load_demo_data")
    found = re.search(r"^\s+chair\s.*\n\s+backup codes: (\S+)", out, re.MULTILINE)
    if not found:
        raise RuntimeError(f"no backup code for the chair in:\n{out}")
    # Enough to invite: the 12 agencies and the GP practices the family needs.
    check = (
        "from agencies.models import Agency; "
        f"names = {INVITED!r}; "
        "found = set(Agency.objects.active().filter(name__in=names)"
        ".values_list('name', flat=True)); "
        "print(sorted(set(names) - found))"
    )
    missing = manage(env, "shell", "--verbosity", "0", "-c", check).strip().splitlines()[-1]
    if missing != "[]":
        raise RuntimeError(f"demo agencies missing: {missing}")
    return found.group(1)


RECORD_CHECK = """
from minutes.models import Delivery, MinutesVersion
from strategy.models import Discussion
from strategy.models.decisions import AgencyPosition
d = Discussion.objects.get()
children = list(d.children.all())
invitees = list(d.invitees.all())
print({
    "children": len(children),
    "unborn": sum(c.is_unborn for c in children),
    "voices": sum(bool(c.voice and c.voice_obtained) for c in children),
    "decisions with rationale": sum(bool(c.decision.rationale) for c in children),
    "positions": AgencyPosition.objects.filter(decision__child__discussion=d).count(),
    "adults": d.adults.count(),
    "invited": len(invitees),
    "attended": sum(i.attendance == "attended" for i in invitees),
    "shared": sum(bool(i.information_shared) for i in invitees),
    "actions": d.actions.count(),
    "plan": bool(d.contingency_plan and d.shared_with_family),
    "outcome final": d.outcome_recorded_at is not None,
    "approved": MinutesVersion.objects.filter(discussion=d, approved_at__isnull=False).count(),
    "deliveries owed": Delivery.objects.filter(version__discussion=d).count(),
})
"""


def record_check(env: dict[str, str], shared_by: int) -> None:
    """What the journey left in the database is the whole standard family's record."""
    got = manage(env, "shell", "--verbosity", "0", "-c", RECORD_CHECK).strip().splitlines()[-1]
    n = len(ATTENDED)
    want = {
        "children": 2,
        "unborn": 1,
        "voices": 2,
        "decisions with rationale": 2,
        "positions": 2 * n,
        "adults": len(ADULTS),
        "invited": len(INVITED),
        "attended": n,
        "shared": shared_by,
        "actions": 1,
        "plan": True,
        "outcome final": True,
        "approved": 1,
        "deliveries owed": len(INVITED),
    }
    if got != repr(want):
        raise RuntimeError(f"the record is not what the journey entered:\n{got}\n{want}")
    print(f"Record checked: {got}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def web_server(env: dict[str, str], var_dir: Path) -> Iterator[str]:
    port = free_port()
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    command = (
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--threads", "4", "--timeout", "120"]
        if gunicorn.exists()
        else [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    )
    log = (var_dir / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/sign-in/", timeout=2):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (var_dir / "server.log").read_text()[-2000:]
                    raise RuntimeError(f"the web server did not start:\n{tail}") from None
                time.sleep(0.3)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
                server.wait()
        log.close()


# --- The report ----------------------------------------------------------------------------


def report(tally: Tally, seconds: float) -> bool:
    distinct = len(set(tally.pages))
    figures = {
        "clicks": tally.clicks,
        "fields typed": tally.fields,
        "page loads": tally.loads,
        "form submissions": tally.posts,
        "distinct pages": distinct,
    }
    print()
    print("The chair's journey: the standard family, sign-in to approval confirmed")
    print(f"{'':<18} {'this run':>9} {'before':>10} {'target':>7} {'goal':>5}  result")
    met = True
    for name, value in figures.items():
        target, goal = TARGET.get(name), GOAL.get(name)
        verdict = ""
        if target is not None and goal is not None:
            verdict = "PASS" if value <= target else "FAIL"
            verdict += ", goal met" if value <= goal else ", goal not met"
            met = met and value <= target
        print(
            f"{name:<18} {value:>9} {BEFORE[name]:>10} "
            f"{'' if target is None else f'<= {target}':>7} "
            f"{'' if goal is None else f'<= {goal}':>5}  {verdict}"
        )
    print(f"{'wall time':<18} {seconds:>8.1f}s")
    if tally.documents != tally.loads:
        print(f"(note: {tally.documents} load events against {tally.loads} navigations)")
    print()
    print("Most clicks (clicks, fields typed) by page:")
    for key, clicks in tally.clicks_on.most_common(5):
        print(f"  {clicks:>3} clicks, {tally.fields_on[key]:>3} fields  {key}")
    print("Most page loads by page:")
    for key, loads in tally.loads_of.most_common(5):
        print(f"  {loads:>3} loads  {key}")
    print("Pages in order:")
    print("  " + "\n  ".join(tally.pages))
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--trace", action="store_true", help="save a Playwright trace there")
    parser.add_argument(
        "--shared-by",
        type=int,
        choices=range(len(ATTENDED) + 1),
        default=SHARED_BY,
        metavar=f"0-{len(ATTENDED)}",
        help=f"how many of the {len(ATTENDED)} attending agencies the chair records what they "
        f"shared for, in the order the service offers them (default {SHARED_BY})",
    )
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Debian's chromium is not installed", file=sys.stderr)
        return 2

    var_dir = Path(tempfile.mkdtemp(prefix="journey-"))
    env = server_env(var_dir)
    try:
        manage(env, "migrate", "--verbosity", "0")
        code = demo_data(env)
        with web_server(env, var_dir) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            context = browser.new_context(base_url=url)
            if args.trace:
                context.tracing.start(screenshots=True, snapshots=True)
            page = context.new_page()
            page.set_default_timeout(20_000)
            expect.set_options(timeout=15_000)
            journey = Journey(page)
            started = time.monotonic()
            try:
                chair_journey(journey, code, args.shared_by)
            except Exception as error:
                print(f"The journey stopped: {error}", file=sys.stderr)
                print(page.evaluate(DUMP_PAGE), file=sys.stderr)
                return 2
            finally:
                if args.trace:
                    context.tracing.stop(path=str(var_dir / "trace.zip"))
                browser.close()
            seconds = time.monotonic() - started
        try:
            record_check(env, args.shared_by)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 2
        return 0 if report(journey.tally, seconds) else 1
    finally:
        if args.keep:
            print(f"Kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
