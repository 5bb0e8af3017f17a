"""The Mail page's order (newest first) as an index, built with CREATE INDEX CONCURRENTLY on
Postgres: no lock that stops messages being stored while it builds, however many there are (a
plain CREATE INDEX would hold back every insert, so the MTA pipe and the IMAP poll, until it
finished). Hence atomic = False. SQLite (a laptop) has no such option and no such table size: a
plain CREATE INDEX there."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('inbound', '0001_initial'),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name='inboundemail',
            index=models.Index(fields=['-received_at', '-id'], name='inbound_received_idx'),
        ),
    ]
