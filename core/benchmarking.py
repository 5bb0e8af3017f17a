"""`manage.py bench`: each app's scenarios, measured through Django's full request stack.

An app adds scenarios by defining `bench_scenarios()` in its `bench.py`, returning Scenario
objects. A scenario's `prepare` runs once and returns the callable that makes one request;
its `before_each`, if any, runs before every request, outside the timing (to start each one cold).
"""

import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
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


def scenarios_discover() -> list[Scenario]:
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.bench":
                raise
            continue
        found.extend(module.bench_scenarios())
    return found


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
