"""Two nullable columns on the endpoints' table (a handful of rows): adding a nullable column
without a default is a catalogue change, no rewrite and no long lock."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='webhookendpoint',
            name='failing_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='webhookendpoint',
            name='paused_at',
            field=models.DateTimeField(blank=True, help_text='When it was turned off for failing, by the desk itself.', null=True),
        ),
    ]
