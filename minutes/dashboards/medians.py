"""Medians: PostgreSQL computes them (percentile_cont); elsewhere Python does."""

import statistics
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import NotSupportedError, connection
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F


class Median(Aggregate):
    """The continuous median of an expression, as percentile_cont(0.5) in PostgreSQL."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        if connection.vendor != "postgresql":
            raise NotSupportedError("Median needs PostgreSQL; use median_of() on this database")
        return super().as_sql(compiler, connection, **extra_context)


def medians_in_database() -> bool:
    return connection.vendor == "postgresql"


def elapsed(later: str, earlier: str) -> ExpressionWrapper:
    """The time from one timestamp field to another, as a duration."""
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def median_of(values: Iterable[timedelta | None]) -> timedelta | None:
    """The median of durations fetched from the database, for databases without one."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return None
    middle = statistics.median_low(present), statistics.median_high(present)
    return middle[0] + (middle[1] - middle[0]) / 2
