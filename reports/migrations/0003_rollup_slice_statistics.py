from django.db import migrations

# The slice columns are strongly correlated (a team key only comes with the team filter, and so on);
# without these statistics Postgres underestimates a slice's rows by ten times and sorts instead of
# hashing when it sums a breakdown.
CREATE = (
    "CREATE STATISTICS IF NOT EXISTS reports_rollup_slice_stats (dependencies, mcv) "
    "ON filter_dim, filter_key, dim, span FROM reports_rollup"
)
DROP = "DROP STATISTICS IF EXISTS reports_rollup_slice_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_week_span")]

    operations = [migrations.RunPython(create, drop)]
