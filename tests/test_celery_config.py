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


def test_an_outbox_claim_outlives_its_task_and_the_relay_is_quicker_than_redis():
    from notifications.tasks import outbound_email_deliver_task

    # A claim that runs out belongs to a task the worker has surely stopped ...
    assert outbound_email_deliver_task.time_limit == settings.OUTBOX_DELIVERY_TIME_LIMIT
    assert outbound_email_deliver_task.soft_time_limit < settings.OUTBOX_DELIVERY_TIME_LIMIT
    assert settings.OUTBOX_CLAIM_SECONDS > settings.OUTBOX_DELIVERY_TIME_LIMIT
    # ... one connection timeout to the mail server ends a task before its soft limit ...
    assert settings.EMAIL_TIMEOUT < settings.OUTBOX_DELIVERY_SOFT_TIME_LIMIT
    # ... and the relay re-sends a message Redis lost long before Redis would redeliver it.
    assert settings.OUTBOX_REQUEUE_AFTER_SECONDS < settings.REDIS_VISIBILITY_TIMEOUT


def test_no_survey_countdown_outlives_the_redis_visibility_timeout():
    from surveys.services import invite_countdown_max_seconds

    assert 0 < invite_countdown_max_seconds() < settings.REDIS_VISIBILITY_TIMEOUT


def test_the_filesystem_broker_never_shows_a_worker_half_a_message(tmp_path):
    """A message is renamed into the queue complete; a file still being written is left alone."""
    from kombu import Connection

    from servicedesk.broker import FilesystemTransport

    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(tmp_path)}
    with Connection("filesystem://", transport=FilesystemTransport, transport_options=options) as conn:
        channel = conn.default_channel
        (folder / "1_writing.jobs.msg.partial").write_bytes(b"")  # a publish in progress
        channel._put("jobs", {"body": "hello"})

        assert [p.name.endswith(".jobs.msg") for p in folder.iterdir()].count(True) == 1
        assert channel._get("jobs") == {"body": "hello"}
        assert not any(p.name.endswith(".msg") for p in folder.iterdir())


def test_without_redis_the_broker_is_the_atomic_filesystem_transport():
    if settings.REDIS_URL:
        assert celery_app.connection_for_write().transport_cls == "redis"
    else:
        assert celery_app.conf.broker_transport == "servicedesk.broker:FilesystemTransport"


def test_the_backlog_leaves_within_a_minute_of_the_mail_server_coming_back():
    """After a mail-server outage the e-mails wait for the next try of the server (at most
    OUTBOX_SERVER_RETRY_MAX_SECONDS after the last failure, which can be the moment it comes back)
    and then for the relay's next run; sending the backlog takes the rest of the two minutes
    promised (bench/faults/smtp_outage measures the whole)."""
    relay_every = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]["schedule"].total_seconds()

    assert settings.OUTBOX_SERVER_RETRY_MAX_SECONDS + relay_every <= 60
