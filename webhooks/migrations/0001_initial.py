"""The webhooks app's two new tables: creating empty tables and their indexes takes no long lock
on any existing table (the foreign keys reference users, whose rows are not rewritten)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=500, verbose_name='URL')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                ('secret', models.CharField(help_text='Standard Webhooks form: whsec_ and the base64 of the key the signatures are made with.', max_length=100)),
                ('events', models.JSONField(default=list, help_text='The event types it hears of (webhooks.events).')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'webhook endpoint',
                'verbose_name_plural': 'webhook endpoints',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.CharField(help_text='The webhook-id header: the same on every attempt.', max_length=64)),
                ('event_type', models.CharField(max_length=50)),
                ('payload', models.JSONField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('dead', 'Dead letter')], default='pending', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_response_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('last_latency_ms', models.PositiveIntegerField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('enqueued_at', models.DateTimeField(blank=True, help_text='When a delivery task was last handed to the broker.', null=True)),
                ('next_attempt_at', models.DateTimeField(blank=True, help_text="Not to be tried before this (a retry's backoff).", null=True)),
                ('claimed_until', models.DateTimeField(blank=True, help_text='A delivery task is working on it until then.', null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('dead_at', models.DateTimeField(blank=True, null=True)),
                ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='webhooks.webhookendpoint')),
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook deliveries',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['endpoint', '-created_at', '-id'], name='webhooks_delivery_log_idx'), models.Index(condition=models.Q(('status', 'pending')), fields=['enqueued_at', 'created_at'], name='webhooks_pending_idx')],
                'constraints': [models.UniqueConstraint(fields=('event_id', 'endpoint'), name='webhooks_delivery_once_per_endpoint'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'sent'), _negated=True), ('sent_at__isnull', False), _connector='OR'), name='webhooks_delivery_sent_has_sent_at'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'dead'), _negated=True), ('dead_at__isnull', False), _connector='OR'), name='webhooks_delivery_dead_has_dead_at')],
            },
        ),
    ]
