"""Everything `manage.py bench` times, one module for each app's pages."""

from devkit.bench.harness import Scenario

from . import api, knowledge, reports, tickets


def scenarios_all() -> list[Scenario]:
    """The desk's and the portal's scenarios, the dashboards', the knowledge base's, then the API's
    (the order they are printed in)."""
    return [
        *tickets.bench_scenarios(),
        *reports.bench_scenarios(),
        *knowledge.bench_scenarios(),
        *api.bench_scenarios(),
    ]
