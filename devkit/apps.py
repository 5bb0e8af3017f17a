from django.apps import AppConfig


class DevkitConfig(AppConfig):
    """The demo company, the benchmark data and scenarios: installed by local and test settings only."""

    name = "devkit"
