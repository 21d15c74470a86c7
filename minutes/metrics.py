"""The minutes' gauges: what the dashboards' own lists count, across every team."""

from collections.abc import Iterable, Iterator
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from minutes.dashboards import selectors
from minutes.dashboards.filters import Filters


class MinutesCollector(Collector):
    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterator[Metric]:
        overdue, receipts, pdfs = self._families()
        everyone, moment = Filters(), selectors.Moment.current()
        overdue.add_metric([], selectors.minutes_overdue(everyone, moment).count())
        receipts.add_metric(
            [],
            selectors.receipts_outstanding(
                everyone, moment, sent_at_least=timedelta(days=3)
            ).count(),
        )
        pdfs.add_metric([], selectors.pdfs_failed(everyone, moment).count())
        yield from (overdue, receipts, pdfs)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "strategy_minutes_overdue",
                "Discussions held more than the deadline ago whose minutes are not yet sent",
            ),
            GaugeMetricFamily(
                "strategy_receipts_outstanding_over_3_days",
                "Minutes sent more than 3 days ago whose receipt is not yet confirmed",
            ),
            GaugeMetricFamily(
                "strategy_minutes_pdf_failures",
                "Approved minutes versions whose PDF could not be made",
            ),
        )
