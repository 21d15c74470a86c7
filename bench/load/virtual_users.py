"""Virtual users: threads, each with its own cookies and one HTTP connection pool on
127.0.0.1, doing what a chair or a partner agency user does, with a think time between clicks.
Every request is recorded with its label, timing and outcome."""

from __future__ import annotations

import html
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import urllib3
from seed import ChairPlan, Person

FRIENDLY_500 = "what you typed is kept"
CONFLICT = "Someone else saved this discussion"
# The receipt page's panel (its <title> says "Receipt confirmed" either way).
CONFIRMED_NOW = 'govuk-panel__title">Receipt confirmed<'
ALREADY = 'govuk-panel__title">Already confirmed<'
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION_RE = re.compile(r'name="revision" value="(\d+)"')
# A code refused at sign-in counts towards django-axes's lockout of 127.0.0.1 (every virtual
# user's address): after this many, nobody signs in again, so the run cannot lock itself out.
MAX_CODE_REFUSALS = 2


@dataclass
class Sample:
    start: float  # seconds since the run's zero
    seconds: float
    label: str
    status: int  # 0 when no response came
    outcome: str  # ok, 5xx, failed, status, content, conflict
    detail: str = ""
    friendly: bool = False  # a 500 showing templates/500.html


@dataclass
class Recorder:
    zero: float
    samples: list[Sample] = field(default_factory=list)
    confirmed: dict[int, str] = field(default_factory=dict)  # delivery id -> name we gave
    already: int = 0  # confirmations answered "Already confirmed" (a retry after a failure)
    approvals: list[tuple[int, float]] = field(default_factory=list)  # discussion, when
    code_refusals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.zero

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


@dataclass
class Link:
    delivery_id: int
    agency_id: int
    path: str


class LinkPool:
    """Receipt links by agency: those not yet confirmed are handed to one virtual user at a
    time; confirmed ones can still be opened."""

    def __init__(self) -> None:
        self.open: dict[int, deque[Link]] = {}
        self.done: dict[int, list[Link]] = {}
        self.known: set[int] = set()
        self.lock = threading.Lock()

    def add(self, link: Link) -> None:
        with self.lock:
            if link.delivery_id in self.known:
                return
            self.known.add(link.delivery_id)
            self.open.setdefault(link.agency_id, deque()).append(link)

    def take(self, agency_id: int) -> Link | None:
        with self.lock:
            waiting = self.open.get(agency_id)
            return waiting.popleft() if waiting else None

    def give_back(self, link: Link) -> None:
        with self.lock:
            self.open.setdefault(link.agency_id, deque()).append(link)

    def confirmed(self, link: Link) -> None:
        with self.lock:
            self.done.setdefault(link.agency_id, []).append(link)

    def any_confirmed(self, agency_id: int) -> Link | None:
        with self.lock:
            done = self.done.get(agency_id)
            return random.choice(done) if done else None

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return sum(len(v) for v in self.open.values()), sum(len(v) for v in self.done.values())


@dataclass
class Response:
    status: int
    location: str
    body: str


def _token(body: str) -> str:
    match = CSRF_RE.search(body)
    return match.group(1) if match else ""


class Client:
    """Cookies, manual redirects (each hop timed on its own) and a recorded outcome."""

    def __init__(self, port: int, recorder: Recorder, timeout: float) -> None:
        self.pool = urllib3.HTTPConnectionPool(
            "127.0.0.1",
            port,
            maxsize=1,
            block=False,
            retries=False,
            timeout=urllib3.Timeout(connect=5, read=timeout),
        )
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.csrf = ""  # the last form token seen, as a browser tab would hold it
        self.last: Sample | None = None

    def request(
        self,
        method: str,
        path: str,
        label: str,
        *,
        fields: dict[str, str] | None = None,
        expect: int = 200,
        contains: str = "",
        location: str = "",
    ) -> Response | None:
        """The response if it was what the page should give, else None (recorded)."""
        headers = {"User-Agent": "load-test", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body_bytes = None
        if fields is not None:
            body_bytes = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = self.recorder.now()
        try:
            raw = self.pool.urlopen(
                method,
                path,
                body=body_bytes,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=True,
            )
        except Exception as error:  # noqa: BLE001 - every failure is a recorded outcome
            seconds = self.recorder.now() - start
            detail = type(error).__name__
            reason = getattr(error, "reason", None)
            if reason is not None:
                detail = f"{detail}: {type(reason).__name__}"
            self.last = Sample(start, seconds, label, 0, "failed", detail)
            self.recorder.add(self.last)
            return None
        seconds = self.recorder.now() - start
        for value in raw.headers.getlist("Set-Cookie"):
            pair = value.split(";", 1)[0]
            name, _, cookie = pair.partition("=")
            name = name.strip()
            expired = "max-age=0" in value.lower() or cookie in ('""', "")
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie
        body = raw.data.decode("utf-8", errors="replace")
        response = Response(raw.status, raw.headers.get("Location", ""), body)
        token = _token(body)
        if token:
            self.csrf = token
        outcome, detail, friendly = "ok", "", False
        if raw.status >= 500:
            outcome = "5xx"
            friendly = FRIENDLY_500 in body
        elif raw.status == 200 and CONFLICT in body and expect != 200:
            outcome, detail = "conflict", "edit conflict shown"
        elif raw.status != expect:
            outcome = "status"
            detail = f"expected {expect}" + (
                f", went to {response.location}" if raw.status in (301, 302) else ""
            )
        elif location and not response.location.startswith(location):
            outcome, detail = "content", f"went to {response.location}, not {location}"
        elif contains and contains not in body:
            outcome, detail = "content", f"page lacks {contains!r}"
        self.last = Sample(start, seconds, label, raw.status, outcome, detail, friendly)
        self.recorder.add(self.last)
        return response if outcome == "ok" else None

    def flag(self, detail: str) -> None:
        """The last response looked right but said the wrong thing."""
        if self.last is not None:
            self.last.outcome, self.last.detail = "content", detail

    def close(self) -> None:
        self.pool.close()


class Totp:
    """The authenticator app. Codes are for the current 30 s step, never reused: the server
    accepts each step once and syncs its drift to the step it matched."""

    def __init__(self, key_hex: str) -> None:
        from binascii import unhexlify

        self.key = unhexlify(key_hex.encode())
        self.last_t = -1

    def code(self, stop: threading.Event) -> str | None:
        from django_otp.oath import TOTP

        while not stop.is_set():
            now = time.time()
            t = int(now // 30)
            # Not in the last 3 s of a step (the server may already be in the next one),
            # and never a step already used.
            if t > self.last_t and now % 30 < 27:
                totp = TOTP(self.key, 30, 0, 6, 0)
                totp.time = now
                self.last_t = t
                return f"{totp.token():06d}"
            stop.wait(0.5)
        return None


class VirtualUser(threading.Thread):
    role = "user"
    home = "/"

    def __init__(
        self,
        number: int,
        person: Person,
        password: str,
        port: int,
        recorder: Recorder,
        stop: threading.Event,
        *,
        think: tuple[float, float],
        start_delay: float,
        session_iterations: int,
        timeout: float,
    ) -> None:
        super().__init__(name=f"{self.role}-{number}", daemon=True)
        self.number = number
        self.person = person
        self.password = password
        self.client = Client(port, recorder, timeout)
        self.recorder = recorder
        self.stop_event = stop
        self.think_range = think
        self.start_delay = start_delay
        self.session_iterations = session_iterations
        self.totp = Totp(person.totp_key)
        self.signed_in = False
        self.signed_in_at = 0.0
        self.iterations_signed_in = 0
        self.iterations = 0
        self.random = random.Random(number)

    # ------------------------------------------------------------------ helpers

    def think(self) -> None:
        self.stop_event.wait(self.random.uniform(*self.think_range))

    def get(self, path: str, label: str, **kw: str) -> Response | None:
        if self.stop_event.is_set():
            return None
        response = self.client.request("GET", path, label, **kw)  # type: ignore[arg-type]
        self._noticed_sign_out()
        return response

    def post(self, path: str, fields: dict[str, str], label: str, **kw: object) -> Response | None:
        if self.stop_event.is_set():
            return None
        response = self.client.request("POST", path, label, fields=fields, **kw)  # type: ignore[arg-type]
        self._noticed_sign_out()
        return response

    def _noticed_sign_out(self) -> None:
        last = self.client.last
        if last is not None and "went to /sign-in/" in last.detail:
            self.signed_in = False

    def page(self, path: str, label: str, **kw: str) -> Response | None:
        """A click, then the think time."""
        response = self.get(path, label, **kw)
        self.think()
        return response

    # ------------------------------------------------------------------ signing in

    def wants_sign_in(self) -> bool:
        if not self.signed_in:
            return True
        return (
            self.iterations_signed_in >= self.session_iterations
            and time.monotonic() - self.signed_in_at > 60
        )

    def sign_in(self) -> bool:
        """Password, then a code from the app; lands on the home page of the role."""
        if self.recorder.code_refusals >= MAX_CODE_REFUSALS:
            self.stop_event.wait(5)
            return False
        if self.signed_in:
            self.post(
                "/sign-out/",
                {"csrfmiddlewaretoken": self.client.csrf},
                "sign-out",
                expect=302,
                location="/sign-in/",
            )
            self.signed_in = False
            self.think()
        nxt = self.home
        form = self.get(f"/sign-in/?next={quote(nxt)}", "sign-in: page")
        if form is None:
            return False
        self.think()
        step = self.post(
            "/sign-in/",
            {
                "csrfmiddlewaretoken": _token(form.body),
                "username": self.person.username,
                "password": self.password,
                "next": nxt,
            },
            "sign-in: password",
            expect=302,
            location="/sign-in/code/",
        )
        if step is None:
            return False
        code_page = self.get(step.location, "sign-in: code page")
        if code_page is None:
            return False
        self.think()
        code = self.totp.code(self.stop_event)
        if code is None:
            return False
        done = self.post(
            "/sign-in/code/",
            {"csrfmiddlewaretoken": _token(code_page.body), "code": code, "next": nxt},
            "sign-in: code",
            expect=302,
            location=nxt,
        )
        if done is None:
            last = self.client.last
            if (
                last is not None and last.status == 200
            ):  # the code was refused: counts towards the lockout
                with self.recorder.lock:
                    self.recorder.code_refusals += 1
            return False
        self.signed_in = True
        self.signed_in_at = time.monotonic()
        self.iterations_signed_in = 0
        return True

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        if self.stop_event.wait(self.start_delay):
            return
        while not self.stop_event.is_set():
            try:
                if self.wants_sign_in() and not self.sign_in():
                    self.think()
                    continue
                self.iteration()
                self.iterations += 1
                self.iterations_signed_in += 1
            except Exception as error:  # noqa: BLE001 - a bug in the generator, not the app
                self.recorder.add(
                    Sample(self.recorder.now(), 0, "load generator", 0, "failed", repr(error))
                )
                self.think()
        self.client.close()

    def iteration(self) -> None:
        raise NotImplementedError


class Chair(VirtualUser):
    role = "chair"
    home = "/discussions/"

    def __init__(
        self, *args: object, plan: ChairPlan, approve_at: list[float], **kw: object
    ) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.plan = plan
        # (seconds into the run, discussion) for each approval this chair owes.
        self.approvals = sorted(zip(approve_at, plan.to_approve, strict=True))
        self.approve_tries: dict[int, int] = {}

    def iteration(self) -> None:
        self.page("/discussions/", "chair: discussion list", contains="SD-2026-L")
        one = self.random.choice(self.plan.approved + self.plan.editable)
        self.page(f"/discussions/{one}/", "chair: discussion")
        self.edit_analysis(self.random.choice(self.plan.editable))
        if self.plan.approved:  # with more chairs than approved discussions, some have none
            self.page(
                f"/minutes/discussion/{self.random.choice(self.plan.approved)}/",
                "chair: minutes workspace",
            )
        if self.approvals and self.approvals[0][0] <= self.recorder.now():
            self.approve(self.approvals[0][1])

    def edit_analysis(self, pk: int) -> None:
        form = self.get(
            f"/discussions/{pk}/analysis/", "chair: analysis form", contains='name="revision"'
        )
        if form is None:
            return
        self.think()
        revision = REVISION_RE.search(form.body)
        stamp = f"vu {self.number} iteration {self.iterations} at {time.time():.0f}"
        saved = self.post(
            f"/discussions/{pk}/analysis/",
            {
                "csrfmiddlewaretoken": _token(form.body),
                "revision": revision.group(1) if revision else "0",
                "worries": f"A baby with an unexplained bruise ({stamp}).",
                "working_well": "Mother engaged with the health visitor.",
                "danger_statement": "We are worried the baby could be hurt again.",
                "safety_goal": "The baby is seen every week by a professional.",
            },
            "chair: save analysis",
            expect=302,
            location=f"/discussions/{pk}/",
        )
        if saved is not None:
            self.page(saved.location.split("#")[0], "chair: discussion", contains="Analysis saved")

    def approve(self, pk: int) -> None:
        workspace = self.get(f"/minutes/discussion/{pk}/", "chair: minutes workspace")
        if workspace is None:
            return
        self.think()
        tries = self.approve_tries[pk] = self.approve_tries.get(pk, 0) + 1
        done = self.post(
            f"/minutes/discussion/{pk}/approve/",
            {"csrfmiddlewaretoken": _token(workspace.body)},
            "chair: approve minutes",
            expect=302,
            location=f"/minutes/discussion/{pk}/",
        )
        if done is None:
            if tries >= 3:
                self.approvals.pop(0)
            return
        self.approvals.pop(0)
        after = self.get(done.location, "chair: minutes workspace")
        if after is not None:
            text = html.unescape(after.body)
            if "approved. It is being sent" in text or (tries > 1 and "are approved" in text):
                with self.recorder.lock:
                    self.recorder.approvals.append((pk, self.recorder.now()))
        self.think()


class Partner(VirtualUser):
    role = "partner"
    home = "/minutes/agency/"

    def __init__(self, *args: object, links: LinkPool, confirm_share: float, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.links = links
        self.confirm_share = confirm_share
        self.confirmations = 0

    def iteration(self) -> None:
        agency = self.person.agency_id or 0
        link = self.links.take(agency) if self.random.random() < self.confirm_share else None
        if link is None:
            seen = self.links.any_confirmed(agency)
            if seen is not None:
                self.page(
                    seen.path, "partner: receipt page (confirmed)", contains="Already confirmed"
                )
        else:
            self.confirm(link)
        self.page("/minutes/agency/", "partner: agency minutes")

    def confirm(self, link: Link) -> None:
        page = self.get(link.path, "partner: receipt page")
        if page is None:
            self.links.give_back(link)
            self.think()
            return
        if ALREADY in page.body:  # an earlier POST that failed had committed
            with self.recorder.lock:
                self.recorder.already += 1
            self.links.confirmed(link)
            self.think()
            return
        self.think()
        self.confirmations += 1
        name = f"Loadtest Partner {self.number}-{self.confirmations}"
        done = self.post(
            link.path,
            {
                "csrfmiddlewaretoken": _token(page.body),
                "action": "confirm",
                "name": name,
                "role": "Named nurse for safeguarding",
                "confirm": "on",
            },
            "partner: confirm receipt",
        )
        if done is None:
            self.links.give_back(link)
        elif CONFIRMED_NOW in done.body:
            with self.recorder.lock:
                self.recorder.confirmed[link.delivery_id] = name
            self.links.confirmed(link)
        elif ALREADY in done.body:
            with self.recorder.lock:
                self.recorder.already += 1
            self.links.confirmed(link)
        else:
            self.client.flag("no 'Receipt confirmed' after confirming")
            self.links.give_back(link)
        self.think()
