from django.conf import settings

from servicedesk.celery import app as celery_app


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, name


def test_tasks_travel_as_json_and_are_acknowledged_after_they_run():
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_acks_late is True


def test_no_outbox_countdown_outlives_the_redis_visibility_timeout():
    assert (
        settings.OUTBOX_RETRY_MAX_SECONDS
        < settings.OUTBOX_REQUEUE_AFTER_SECONDS
        < settings.REDIS_VISIBILITY_TIMEOUT
    )
