import django.contrib.postgres.search
from django.db import migrations


def gin_index_create(apps, schema_editor):
    # Postgres only: SQLite has no GIN indexes and searches with a plain LIKE instead.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX tickets_search_gin ON tickets_ticket USING gin (search_document)")


def gin_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS tickets_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(gin_index_create, gin_index_drop, elidable=False),
    ]
