"""Owners hear once, in business hours, that an article's review date has passed (hourly beat)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from knowledge import services
from knowledge.models import Article
from notifications.models import Notification, OutboundEmail

from ..accounts.factories import AgentFactory
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Wednesday: the default calendar (no BusinessCalendar row) is Monday–Friday 09:00–17:30.
WEDNESDAY_10AM = datetime(2026, 3, 11, 10, 0, tzinfo=LONDON)


def test_an_owner_is_reminded_once_per_review_date(django_capture_on_commit_callbacks):
    owner = AgentFactory(email="priya@example.com")
    article = ArticleFactory(owner=owner, review_by=date(2026, 3, 10))

    with django_capture_on_commit_callbacks():
        sent = [
            services.article_review_reminders_send(now=WEDNESDAY_10AM + timedelta(hours=h)) for h in range(3)
        ]

    assert sent == [1, 0, 0]
    notice = Notification.objects.get(recipient=owner)
    assert notice.key == f"knowledge-review:{article.pk}:2026-03-10"
    assert notice.text == f"Review due: {article.title}"
    assert notice.url == article.get_absolute_url()
    email = OutboundEmail.objects.get(to_address="priya@example.com")
    assert article.get_absolute_url() in email.body_text


def test_a_new_review_date_that_passes_brings_a_new_reminder():
    owner = AgentFactory()
    article = ArticleFactory(owner=owner, review_by=date(2026, 3, 10))
    services.article_review_reminders_send(now=WEDNESDAY_10AM)

    Article.objects.filter(pk=article.pk).update(review_by=date(2026, 3, 12))
    quiet = services.article_review_reminders_send(now=WEDNESDAY_10AM + timedelta(hours=1))
    again = services.article_review_reminders_send(now=WEDNESDAY_10AM + timedelta(days=2))

    assert (quiet, again) == (0, 1)
    assert Notification.objects.filter(recipient=owner).count() == 2


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 11, 7, 0, tzinfo=LONDON),  # before opening
        datetime(2026, 3, 11, 18, 0, tzinfo=LONDON),  # after closing
        datetime(2026, 3, 14, 11, 0, tzinfo=LONDON),  # Saturday
    ],
)
def test_nothing_is_sent_outside_business_hours(moment):
    ArticleFactory(owner=AgentFactory(), review_by=date(2026, 3, 1))

    assert services.article_review_reminders_send(now=moment) == 0
    assert not Notification.objects.exists()


def test_articles_not_yet_due_or_without_an_owner_bring_no_reminder():
    ArticleFactory(owner=AgentFactory(), review_by=date(2026, 3, 11))  # due today: not passed yet
    ArticleFactory(owner=None, review_by=date(2026, 1, 1))
    ArticleFactory(owner=AgentFactory(), review_by=None)

    assert services.article_review_reminders_send(now=WEDNESDAY_10AM) == 0


def test_the_reminders_run_hourly_from_beat():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("knowledge."))

    assert entry["task"] == "knowledge.tasks.article_review_reminders_task"
    assert entry["schedule"] == timedelta(hours=1)
