"""The tables the volume seed writes, and an invitee's seat as the seed remembers it."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from minutes.dashboards.volume.bulk import BulkTable
from minutes.models import Chase, Delivery, Dispute, MinutesVersion
from strategy.models import (
    Action,
    Adult,
    AgencyPosition,
    Child,
    ChildDecision,
    Discussion,
    Invitee,
    ProfessionalDifference,
)


def lognormal_hours(rng: random.Random, median_hours: float, sigma: float) -> timedelta:
    return timedelta(hours=rng.lognormvariate(math.log(median_hours), sigma))


@dataclass
class Tables:
    now: datetime
    discussion: BulkTable = field(init=False)
    child: BulkTable = field(init=False)
    adult: BulkTable = field(init=False)
    invitee: BulkTable = field(init=False)
    decision: BulkTable = field(init=False)
    position: BulkTable = field(init=False)
    difference: BulkTable = field(init=False)
    action: BulkTable = field(init=False)
    version: BulkTable = field(init=False)
    delivery: BulkTable = field(init=False)
    chase: BulkTable = field(init=False)
    dispute: BulkTable = field(init=False)

    MODELS = (
        ("discussion", Discussion),
        ("child", Child),
        ("adult", Adult),
        ("invitee", Invitee),
        ("decision", ChildDecision),
        ("position", AgencyPosition),
        ("difference", ProfessionalDifference),
        ("action", Action),
        ("version", MinutesVersion),
        ("delivery", Delivery),
        ("chase", Chase),
        ("dispute", Dispute),
    )

    def __post_init__(self) -> None:
        for name, model in self.MODELS:
            setattr(self, name, BulkTable(model, self.now))

    def flush(self) -> None:
        for name, _ in self.MODELS:
            getattr(self, name).flush()

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name).written for name, _ in self.MODELS}


@dataclass
class Seat:
    invitee_id: int
    agency_id: int
    kind: str
    attendance: str
