"""Discussions with everything that follows them: children, household, invitees and their
attendance, decisions and positions, minutes, deliveries, receipts, chases, disputes,
professional differences and actions.

Time runs as it does in the service: a discussion long past has had its minutes sent,
confirmed or chased and is closed; a recent one may still be waiting. A small share of
old obligations is never met, as in life, so the dashboards' lists have a backlog.
"""

import random
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from django.utils import timezone

from agencies.models import HEALTH_KINDS, AgencyKind
from minutes.dashboards.volume.directory import Directory, TeamPeople
from minutes.dashboards.volume.minutes import MinutesMaker
from minutes.dashboards.volume.tables import Seat, Tables, lognormal_hours
from strategy.models import Attendance
from strategy.models.people import PARENT_OR_CARER
from strategy.working_days import add_working_days

A = Attendance
ATTENDANCE = {  # kind: (attended, information only, apologies, did not attend) weights
    AgencyKind.CHILDRENS_SOCIAL_CARE: (98, 0, 2, 0),
    AgencyKind.POLICE: (80, 10, 5, 5),
    "health": (65, 15, 10, 10),
    AgencyKind.GP_PRACTICE: (10, 35, 15, 40),
    AgencyKind.HOUSING: (45, 20, 15, 20),
    "other": (45, 20, 20, 15),
}
CHOICES = (A.ATTENDED, A.INFORMATION_ONLY, A.APOLOGIES, A.DID_NOT_ATTEND)
OTHER_KINDS = (
    AgencyKind.EDUCATION,
    AgencyKind.EARLY_YEARS,
    AgencyKind.PROBATION,
    AgencyKind.YOUTH_JUSTICE,
    AgencyKind.SUBSTANCE_MISUSE,
    AgencyKind.LOCAL_AUTHORITY_LEGAL,
    AgencyKind.HOUSING,
)
NON_GP_HEALTH = tuple(sorted(HEALTH_KINDS - {AgencyKind.GP_PRACTICE}))
STATUTORY = {AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE, *HEALTH_KINDS}
CONCERNS = ("physical", "sexual", "emotional", "neglect", "cse", "cce", "domestic_abuse")


@cache
def _conference_due(held_on: date) -> date:
    return add_working_days(held_on, 15)


class DiscussionMaker:
    """Makes one discussion's rows at a time, from a seeded random source."""

    def __init__(
        self, tables: Tables, directory: Directory, rng: random.Random, now: datetime
    ) -> None:
        self.t, self.d, self.rng, self.now = tables, directory, rng, now
        self.minutes = MinutesMaker(tables, rng, now)
        self.today = timezone.localdate(now)
        self.kind_of: dict[int, str] = {a: k for k, ids in directory.by_kind.items() for a in ids}

    def _pick(self, kind: str) -> int | None:
        ids = self.d.of(kind)
        return self.rng.choice(ids) if ids else None

    def _attendance(self, kind: str) -> str:
        group = kind if kind in ATTENDANCE else "health" if kind in HEALTH_KINDS else "other"
        return self.rng.choices(CHOICES, ATTENDANCE[group])[0]

    def make(self, *, scheduled_for: datetime, follows_id: int | None, held: bool) -> int:
        rng, t = self.rng, self.t
        discussion_id = t.discussion.allocate()
        team: TeamPeople = rng.choice(self.d.teams)
        chair = rng.choice(team.chairs)
        held_at = scheduled_for + timedelta(minutes=rng.randint(0, 30)) if held else None
        if held_at and held_at > self.now:
            held_at = None
        housing = rng.random() < 0.2
        children, gps = self._household(discussion_id)
        seats = self._invitees(discussion_id, team, gps, housing, held_at is not None)
        values: dict[str, Any] = {}
        if held_at is not None:
            self._decisions(discussion_id, children, held_at, chair, seats)
            values = self.minutes.make(discussion_id, held_at, chair, seats)
            self._actions(discussion_id, held_at, seats)
            values["outcome_recorded_at"] = min(held_at + timedelta(hours=1), self.now)
            if self.now - held_at > timedelta(days=45) and rng.random() < 0.97:
                values["closed_at"] = held_at + timedelta(days=rng.randint(20, 45))
        t.discussion.add(
            id=discussion_id,
            reference=f"SV-{discussion_id:09d}",
            format=rng.choice(("meeting", "video", "phone")),
            urgency=rng.choice(("immediate", "planned", "planned")),
            scheduled_for=scheduled_for,
            reason="Fictional concern, seeded to measure the dashboards.",
            concern_categories=[rng.choice(CONCERNS)],
            housing_is_factor=housing,
            team_id=team.team_id,
            chair_id=chair,
            minute_taker_id=rng.choice(team.minute_takers),
            created_by_id=chair,
            created_at=scheduled_for - timedelta(days=1),
            follows_id=follows_id,
            follow_up_due_by=(
                timezone.localtime(scheduled_for).date() + timedelta(days=rng.randint(0, 3))
                if follows_id
                else None
            ),
            held_at=held_at,
            **values,
        )
        return discussion_id

    def _household(self, discussion_id: int) -> tuple[list[int], list[int]]:
        """Children and adults; returns the children and the GP practices known."""
        rng, gps, children = self.rng, [], []
        for n in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
            gp = self._pick(AgencyKind.GP_PRACTICE) if rng.random() < 0.9 else None
            gps += [gp] if gp else []
            child_id = self.t.child.add(
                discussion_id=discussion_id,
                first_name=f"Child{n + 1}",
                last_name=f"Volume{discussion_id}",
                date_of_birth=self.today - timedelta(days=rng.randint(30, 6000)),
                needs="Fictional needs, described in words.",
                school_id=self._pick(AgencyKind.EDUCATION) if rng.random() < 0.6 else None,
                gp_practice_id=gp,
            )
            children.append(child_id)
        for n in range(rng.choices((1, 2, 3), (35, 50, 15))[0]):
            relationship = rng.choice(sorted(PARENT_OR_CARER) + ["grandparent", "other"])
            gp = (rng.choice(gps) if gps and rng.random() < 0.5 else None) or (
                self._pick(AgencyKind.GP_PRACTICE) if rng.random() < 0.75 else None
            )
            if gp and relationship in PARENT_OR_CARER:
                gps.append(gp)
            self.t.adult.add(
                discussion_id=discussion_id,
                name=f"Adult{n + 1} Volume{discussion_id}",
                relationship=relationship,
                gp_practice_id=gp,
            )
        return children, list(dict.fromkeys(gps))

    def _invitees(
        self, discussion_id: int, team: TeamPeople, gps: list[int], housing: bool, held: bool
    ) -> list[Seat]:
        rng = self.rng
        wanted: list[int] = [team.agency_id]
        if rng.random() < 0.92:
            wanted.append(self._pick(AgencyKind.POLICE) or team.agency_id)
        for health in rng.sample(NON_GP_HEALTH, rng.randint(1, 3)):
            wanted += [a for a in [self._pick(health)] if a]
        wanted += [gp for gp in gps if rng.random() < 0.65]
        if housing and rng.random() < 0.75:
            wanted += [a for a in [self._pick(AgencyKind.HOUSING)] if a]
        target = rng.randint(10, 16)
        for _ in range(40):
            if len(set(wanted)) >= target:
                break
            wanted += [a for a in [self._pick(rng.choice(OTHER_KINDS))] if a]
        seats = []
        for agency_id in dict.fromkeys(wanted):
            kind = self.kind_of[agency_id]
            attendance = self._attendance(kind) if held else A.INVITED
            involved = attendance in (A.ATTENDED, A.INFORMATION_ONLY)
            invitee_id = self.t.invitee.add(
                discussion_id=discussion_id,
                agency_id=agency_id,
                attendance=attendance,
                information_shared="Fictional information shared." if involved else "",
            )
            seats.append(Seat(invitee_id, agency_id, kind, attendance))
        return seats

    def _decisions(
        self,
        discussion_id: int,
        children: list[int],
        held_at: datetime,
        chair: int,
        seats: list[Seat],
    ) -> None:
        rng, t = self.rng, self.t
        held_on = timezone.localtime(held_at).date()
        voters = [s for s in seats if s.attendance == A.ATTENDED and s.kind in STATUTORY]
        for child_id in children:
            s47 = rng.random() < 0.4
            outcomes = [rng.choice(("s47_joint", "s47_single"))] if s47 else []
            outcomes += [rng.choice(("s17_assessment", "no_further_action", "medical"))]
            due = _conference_due(held_on) if s47 else None
            # Conferences are held on or up to a few days before the day they are due, and
            # recorded then: only those not yet held stay due.
            conference_on = due - timedelta(days=rng.randint(0, 4)) if due else None
            decision_id = t.decision.add(
                child_id=child_id,
                threshold_met=s47 or rng.random() < 0.3,
                rationale="" if rng.random() < 0.04 else "Fictional rationale, in words.",
                outcomes=outcomes,
                conference_due_by=due,
                conference_held_on=conference_on
                if conference_on and held_on <= conference_on < self.today
                else None,
                decided_by_id=chair,
                decided_at=held_at,
            )
            for seat in voters:
                position = rng.choices(("agrees", "disagrees", "abstains"), (93, 5, 2))[0]
                position_id = t.position.add(
                    decision_id=decision_id,
                    invitee_id=seat.invitee_id,
                    position=position,
                    reason="Fictional reason for disagreeing." if position == "disagrees" else "",
                )
                if position == "disagrees" and rng.random() < 0.5:
                    self._difference(discussion_id, position_id, held_at, chair)

    def _difference(
        self, discussion_id: int, position_id: int, held_at: datetime, chair: int
    ) -> None:
        opened = held_at + timedelta(hours=2)
        resolved = opened + lognormal_hours(self.rng, 96, 0.8)
        self.t.difference.add(
            discussion_id=discussion_id,
            position_id=position_id,
            raised_by="Fictional practitioner",
            raised_with="The chair",
            raised_on=timezone.localtime(held_at).date(),
            issue="Fictional disagreement about the decision.",
            opened_by_id=chair,
            opened_at=opened,
            resolved_at=resolved if resolved <= self.now and self.rng.random() > 0.03 else None,
        )

    def _actions(self, discussion_id: int, held_at: datetime, seats: list[Seat]) -> None:
        rng, held_on = self.rng, timezone.localtime(held_at).date()
        for _ in range(rng.choice((0, 1, 2, 2, 3))):
            due = held_on + timedelta(days=rng.randint(1, 14))
            age = (self.today - due).days
            done_share = 0.97 if age > 7 else 0.6 if age > 0 else 0.2
            done = rng.random() < done_share
            completed = timezone.make_aware(datetime.combine(due, datetime.min.time()))
            self.t.action.add(
                discussion_id=discussion_id,
                what="Fictional action agreed at the discussion.",
                agency_id=rng.choice(seats).agency_id,
                person="Fictional named person",
                due_by=due,
                why="Fictional reason for the action.",
                completed_at=min(completed, self.now) if done else None,
            )
