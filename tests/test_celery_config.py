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
    # ... which the relay's next run then re-sends, all within two minutes of the worker's death ...
    relay_every = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]["schedule"].total_seconds()
    assert settings.OUTBOX_CLAIM_SECONDS + relay_every < 120
    # ... as it does a task a killed worker had taken from Redis and not started.
    assert settings.OUTBOX_REQUEUE_AFTER_SECONDS + relay_every < 120
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


def test_every_task_retries_a_database_error_with_backoff():
    from django.db import InterfaceError, OperationalError

    celery_app.loader.import_default_modules()
    ours = [task for name, task in celery_app.tasks.items() if not name.startswith("celery.")]

    assert ours
    for task in ours:
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for), task.name
        assert task.retry_backoff and task.retry_backoff_max <= 30, task.name


def test_a_lost_followup_task_is_replaced_within_minutes_but_never_while_it_can_still_run():
    assert 2 * settings.CELERY_TASK_TIME_LIMIT <= settings.FOLLOWUP_REQUEUE_AFTER_SECONDS <= 5 * 60


def test_the_imap_poll_runs_every_minute_and_ends_within_its_time_limit():
    entry = settings.CELERY_BEAT_SCHEDULE["inbound-imap-poll"]

    assert entry["schedule"].total_seconds() == 60
    assert entry["options"]["expires"] < 60  # a poll that waited a minute gives way to the next
    # It starts no new batch after INBOUND_IMAP_POLL_SECONDS, and the batch under way waits at
    # most one timeout for each answer: the soft limit is not reached in the ordinary course.
    assert settings.INBOUND_IMAP_POLL_SECONDS + settings.INBOUND_IMAP_TIMEOUT_SECONDS < (
        settings.CELERY_TASK_SOFT_TIME_LIMIT
    )


def test_the_backlog_leaves_within_a_minute_of_the_mail_server_coming_back():
    """After a mail-server outage the e-mails wait for the next try of the server (at most
    OUTBOX_SERVER_RETRY_MAX_SECONDS after the last failure, which can be the moment it comes back)
    and then for the relay's next run; sending the backlog takes the rest of the two minutes
    promised (bench/faults/smtp_outage measures the whole)."""
    relay_every = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]["schedule"].total_seconds()

    assert settings.OUTBOX_SERVER_RETRY_MAX_SECONDS + relay_every <= 60
