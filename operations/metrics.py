"""Gauges of the background processes, computed from the database at each scrape.

Each app declares its collector beside the code it measures (outbox/metrics.py,
minutes/metrics.py) and registers it here from its AppConfig.ready(). Every collector
describes its metrics up front, so registering one never queries the database."""

from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from operations.models import Heartbeat, Process

_service_collectors: list[Collector] = []


def collector_register(collector: Collector) -> None:
    _service_collectors.append(collector)
    REGISTRY.register(collector)


def registry(multiprocess_dir: str) -> CollectorRegistry:
    """What /metrics exposes. Under gunicorn with several workers, PROMETHEUS_MULTIPROC_DIR
    names a folder where every worker writes its request metrics; the scrape then sums them,
    plus the service's gauges, which read the database and so agree across processes."""
    if not multiprocess_dir:
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
    for collector in _service_collectors:
        combined.register(collector)
    return combined


class HeartbeatCollector(Collector):
    def describe(self) -> Iterable[Metric]:
        return [self._family()]

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        for process in Process:
            ago = Heartbeat.seen_ago(process)
            # Never seen reads as infinitely long ago, so "not seen for 5 minutes" fires.
            family.add_metric([process.value], float("inf") if ago is None else ago)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "strategy_process_last_seen_seconds",
            "Seconds since the worker or beat was last seen",
            labels=["process"],
        )
