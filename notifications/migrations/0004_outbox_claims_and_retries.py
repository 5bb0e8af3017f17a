"""Two nullable columns without a default: on Postgres a catalogue change, no table rewrite and no
long lock, however many e-mails the outbox holds."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_notification_done_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundemail',
            name='claimed_until',
            field=models.DateTimeField(blank=True, help_text='A delivery task is working on it until then; a claim that runs out belonged to a task that died, and the relay hands the e-mail to another.', null=True),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, help_text="Not to be tried before this (a retry's backoff, or the mail server found down).", null=True),
        ),
    ]
