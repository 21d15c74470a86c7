"""The outbox's gauges: what is owed, by kind and state, and how long the oldest has waited."""

from collections.abc import Iterable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from outbox.models import OWED_STATES, MessageKind
from outbox.selectors import oldest_owed_age, owed_by_kind_and_state


class OutboxCollector(Collector):
    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterator[Metric]:
        owed, oldest = self._families()
        counts = owed_by_kind_and_state()
        # Every kind and owed state is reported, zero included, so an alert sees it drop.
        for kind in MessageKind:
            for state in OWED_STATES:
                owed.add_metric([kind.value, state.value], counts.get((kind, state), 0))
        oldest.add_metric([], oldest_owed_age() or 0.0)
        yield owed
        yield oldest

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "strategy_outbox_messages_owed",
                "Messages still owed (queued, sending or waiting to retry), by kind and state",
                labels=["kind", "state"],
            ),
            GaugeMetricFamily(
                "strategy_outbox_oldest_owed_seconds",
                "Seconds the oldest message still owed has waited (0 when none is owed)",
            ),
        )
