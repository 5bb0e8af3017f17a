"""`manage.py check` (and every command that runs the checks) says what is wrong with the IMAP
settings, rather than the first poll failing a minute later. A warning, not an error: a mailbox
set up wrong stops e-mail coming in, and nothing else, so it must not stop a migration."""

from django.core import checks

from . import imap


@checks.register(checks.Tags.compatibility)
def imap_settings_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Warning(problem, hint="See docs/configuration.md, E-mail in.", id="inbound.W001")
        for problem in imap.config_problems()
    ]
