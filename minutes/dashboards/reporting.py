"""How the reporting queries run: medians computed by PostgreSQL (percentile_cont) or, on
other databases, by Python; and without PostgreSQL's JIT compiler."""

import functools
import statistics
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import NotSupportedError, connection, transaction
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F

P = ParamSpec("P")
R = TypeVar("R")


def reporting(read: Callable[P, R]) -> Callable[P, R]:
    """Runs a reporting read with PostgreSQL's JIT compiler off.

    Its many small index lookups look costly enough to the planner to pass the JIT
    threshold, and compiling them takes 50 to 150 ms that running them never wins back."""

    @functools.wraps(read)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.vendor != "postgresql":
            return read(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            return read(*args, **kwargs)

    return run


class Median(Aggregate):
    """The continuous median of an expression, as percentile_cont(0.5) in PostgreSQL."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        raise NotSupportedError("SQLite has no median: fetch the values and use median_of()")


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
