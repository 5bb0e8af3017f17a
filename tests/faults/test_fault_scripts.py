"""The quick worker-kill fault script (bench/faults/README.md), a whole run against production
settings with the outbox's timers shortened: it must print VERDICT: PASS and exit 0. It takes
about a minute; the other scripts (quick, each 40 s to 2 minutes) would take the suite past its
budget, and run by hand: their figures are in docs/operations.md § Faults, measured."""

from bench.faults import worker_kill

from ..workers import needs_worker_process

pytestmark = needs_worker_process


def _passes(script, database_server: str, capsys, *args: str) -> None:
    status = script.main(["--quick", "--database-server", database_server, *args])
    printed = capsys.readouterr().out
    assert status == 0 and "VERDICT: PASS" in printed, printed


def test_worker_killed_and_terminated_mid_delivery(database_server, capsys):
    _passes(worker_kill, database_server, capsys)
