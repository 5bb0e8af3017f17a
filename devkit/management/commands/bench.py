import json

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from devkit.bench.harness import scenario_run
from devkit.bench.scenarios import scenarios_all


class Command(BaseCommand):
    help = "Time each benchmark scenario through the full request stack on the current database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repeat", type=int, default=50, help="timed runs per scenario (default 50)")
        parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object instead of a table"
        )

    def handle(self, *args, repeat: int, only: str, as_json: bool, **options) -> None:
        scenarios = [s for s in scenarios_all() if only in s.name]
        if not scenarios:
            raise CommandError("No scenario matches.")
        # The test client's host name, whatever this site's own hosts are.
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            results = [scenario_run(scenario, repeat=repeat) for scenario in scenarios]
        if as_json:
            self.stdout.write(json.dumps({r.name: r.as_dict() for r in results}))
            return
        width = max(len("scenario"), *(len(r.name) for r in results))
        self.stdout.write(f"{'scenario':<{width}} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for r in results:
            self.stdout.write(f"{r.name:<{width}} {r.median_ms:>10.1f} {r.p95_ms:>8.1f} {r.queries:>8}")
