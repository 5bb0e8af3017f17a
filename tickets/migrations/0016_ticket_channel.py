"""A text column with a database default: on Postgres 11 and later a catalogue change, no table
rewrite and no long lock on a table of a million tickets."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0015_ticket_reopened_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='channel',
            field=models.CharField(choices=[('portal', 'Portal'), ('email', 'E-mail'), ('phone', 'Phone'), ('walk_in', 'In person')], db_default='portal', default='portal', max_length=10),
        ),
    ]
