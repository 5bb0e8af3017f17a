"""A choice added to the history's kinds (documentation flagged): no change in the database, so no
lock on the events table."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0018_service_not_yet_supported'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Submitted'), ('status', 'Status changed'), ('assigned', 'Assignee changed'), ('team', 'Team changed'), ('priority', 'Priority changed'), ('replied', 'Replied'), ('note', 'Internal note added'), ('escalated', 'Escalated'), ('redirected', 'Redirected with guidance'), ('root_cause', 'Root cause recorded'), ('taught', 'Process taught'), ('called', 'Contact called for the customer'), ('fulfilled', 'Done by IT although out of scope'), ('process', 'Process escalated for improvement'), ('update_due', 'Customer due an update: assignee nudged'), ('auto_update', 'Automatic status update sent'), ('reminded', 'Customer reminded IT is waiting'), ('sla_warned', 'SLA warning'), ('sla_breached', 'SLA breached: escalated to managers'), ('cc_added', 'Copied someone on the request'), ('cc_removed', 'Stopped copying someone'), ('cc_refused', 'Could not copy someone'), ('doc_flagged', 'Flagged the documentation')], max_length=12),
        ),
    ]
