"""The channel became a breakdown and a filter: every day's rollups built before it lack the
channel's slices, so every day is marked stale and beat's refresh (rollups_refresh, every minute)
builds it again, newest first, then the weeks, months and quarters it belongs to. Until a day is
rebuilt its figures stay as they were and a breakdown or filter by channel leaves it out.

It takes no long lock: it updates `stale` on the small table of periods (one row per day, a few
hundred a year) and does not touch the rollups themselves, which the refresh rebuilds one day per
transaction as it always does. The update waits at most for the one day a refresh may be
building at that moment.
"""

from django.db import migrations


def days_mark_stale(apps, schema_editor):
    RollupPeriod = apps.get_model("reports", "RollupPeriod")
    RollupPeriod.objects.filter(span="d", stale=False).update(stale=True)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_drop_unused_view_permissions")]

    operations = [migrations.RunPython(days_mark_stale, migrations.RunPython.noop)]
