"""The production settings mode, run as a real process the way a deployment would start it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SERVICEDESK_"))
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "servicedesk.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy_with_no_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-real-production-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="servicedesk.example.com",
        SITE_URL="https://servicedesk.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check", DJANGO_ALLOWED_HOSTS="servicedesk.example.com", SITE_URL="https://servicedesk.example.com"
    )

    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def _settings_of_interest(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings; print(json.dumps({'apps': settings.INSTALLED_APPS, "
        "'context_processors': settings.TEMPLATES[0]['OPTIONS']['context_processors']}))"
    )
    result = _manage("shell", "--verbosity", "0", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_mode_installs_no_demo_or_benchmark_code():
    found = _settings_of_interest(
        DJANGO_SECRET_KEY="a-real-production-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="servicedesk.example.com",
        SITE_URL="https://servicedesk.example.com",
    )

    assert "devkit" not in found["apps"]
    assert not [name for name in found["context_processors"] if name.startswith("devkit.")]


def test_local_mode_has_the_demo_and_benchmark_commands():
    local = {"DJANGO_SETTINGS_MODULE": "servicedesk.settings.local", "DJANGO_SECRET_KEY": "local-only-key"}

    result = _manage("help", "--commands", **local)

    assert result.returncode == 0, result.stderr
    assert {"seed_demo", "seed_bench", "bench", "bench_followups"} <= set(result.stdout.split())
