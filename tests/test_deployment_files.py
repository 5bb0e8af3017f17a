"""docker-compose.yml cannot be run here (no Docker engine), so at least its shape is checked."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_one_image_as_web_worker_and_beat_beside_postgres_and_redis():
    services = _compose()["services"]

    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= services.keys()
    assert {services[name]["image"] for name in ("web", "worker", "beat", "migrate")} == {
        "servicedesk:latest"
    }
    assert services["web"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_every_long_running_service_has_a_health_check():
    services = _compose()["services"]

    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name


def test_app_services_wait_for_migrations_and_healthy_dependencies():
    services = _compose()["services"]

    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_lock_files_name_no_package_index_or_folder_of_one_machine():
    for lock_file in (ROOT / "requirements").glob("*.txt"):
        options = [line for line in lock_file.read_text().splitlines() if line.startswith("-")]

        assert options == [], f"{lock_file.name}: {options}"
