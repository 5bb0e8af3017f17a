"""People copied on a request. A boolean column with a database default on the messages (on
Postgres 11 and later a catalogue change, no rewrite of the conversation table), a choice added to
the history's kinds (no change in the database), and a new, empty table: no long lock anywhere."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0016_ticket_channel'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='ticketmessage',
            name='from_cc',
            field=models.BooleanField(db_default=False, default=False, help_text='Written by someone copied on the request, not by IT.'),
        ),
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Submitted'), ('status', 'Status changed'), ('assigned', 'Assignee changed'), ('team', 'Team changed'), ('priority', 'Priority changed'), ('replied', 'Replied'), ('note', 'Internal note added'), ('escalated', 'Escalated'), ('redirected', 'Redirected with guidance'), ('root_cause', 'Root cause recorded'), ('taught', 'Process taught'), ('called', 'Contact called for the customer'), ('fulfilled', 'Done by IT although out of scope'), ('process', 'Process escalated for improvement'), ('update_due', 'Customer due an update: assignee nudged'), ('auto_update', 'Automatic status update sent'), ('reminded', 'Customer reminded IT is waiting'), ('sla_warned', 'SLA warning'), ('sla_breached', 'SLA breached: escalated to managers'), ('cc_added', 'Copied someone on the request'), ('cc_removed', 'Stopped copying someone'), ('cc_refused', 'Could not copy someone')], max_length=12),
        ),
        migrations.CreateModel(
            name='TicketCC',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField()),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ccs', to='tickets.ticket')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ticket_ccs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'person copied',
                'verbose_name_plural': 'people copied',
                'ordering': ['created_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('ticket', 'user'), name='tickets_cc_unique')],
            },
        ),
    ]
