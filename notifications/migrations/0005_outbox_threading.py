"""Two text columns with a constant default: on Postgres 11 and later a catalogue change, no table
rewrite and no long lock, however many e-mails the outbox holds."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_outbox_claims_and_retries'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundemail',
            name='in_reply_to',
            field=models.CharField(blank=True, help_text='The Message-ID of the incoming e-mail it answers.', max_length=255),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='thread',
            field=models.CharField(blank=True, help_text="The conversation it belongs to (a ticket's Message-ID), for mail clients to thread it.", max_length=255),
        ),
    ]
