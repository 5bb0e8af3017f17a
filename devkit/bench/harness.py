"""`manage.py bench`: each scenario (devkit/bench/scenarios/) timed through the full request stack.

A scenario's `prepare` runs once and returns the callable that makes one request; its
`before_each`, if any, runs before every request, outside the timing (to start each one cold).
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[], Callable[[], object]]
    before_each: Callable[[], object] | None = None


@dataclass(frozen=True)
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int

    def as_dict(self) -> dict:
        return {
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "queries": self.queries,
        }


def scenario_run(scenario: Scenario, *, repeat: int, warmup: int = 3) -> Result:
    """Median and 95th percentile of `repeat` timed runs (after a warm-up), and the query count."""
    request = scenario.prepare()
    for _ in range(warmup):
        request()
    timings = []
    queries = 0
    for _ in range(repeat):
        if scenario.before_each:
            scenario.before_each()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            request()
            timings.append((time.perf_counter() - started) * 1000)
        queries = max(queries, len(captured))
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(scenario.name, statistics.median(timings), p95, queries)
