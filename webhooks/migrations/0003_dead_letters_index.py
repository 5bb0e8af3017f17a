"""A partial index of each endpoint's dead letters, built with CREATE INDEX CONCURRENTLY on
Postgres (hence atomic = False): deliveries keep being written while it builds, however large
the table has grown. A plain CREATE INDEX on SQLite."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("webhooks", "0002_endpoint_pause"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("status", "dead")), fields=["endpoint"], name="webhooks_dead_idx"
            ),
        ),
    ]
