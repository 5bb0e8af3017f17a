"""Saving an article: every save a version, restore as a new version, audit, full-text ranking."""

from datetime import date

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

from knowledge import selectors, services
from knowledge.models import Article

from ..tickets.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_creating_an_article_writes_version_one_and_audits_who(agent, article_fields):
    service = ServiceFactory()

    article = services.article_save(
        article=None,
        by=agent,
        fields=article_fields(services=[service], tags=["password", "login"]),
        note="First",
    )

    (version,) = article.versions.all()
    assert (version.number, version.created_by, version.note, version.is_major) == (1, agent, "First", True)
    assert version.tag_names == ["password", "login"]
    assert version.service_ids == [service.pk]
    assert sorted(article.tags.values_list("name", flat=True)) == ["login", "password"]
    assert article.published_at is not None
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert (entry.user, entry.action_flag) == (agent, ADDITION)
    assert "published" in entry.change_message


def test_each_save_is_a_new_version_with_its_note(agent, manager, article_fields):
    article = services.article_save(
        article=None, by=agent, fields=article_fields(status=Article.Status.DRAFT)
    )

    services.article_save(
        article=article,
        by=manager,
        fields=article_fields(title="Reset a password"),
        note="Clearer",
        is_major=False,
    )

    newest, first = article.versions.all()
    assert (newest.number, newest.title, newest.created_by, newest.note) == (
        2,
        "Reset a password",
        manager,
        "Clearer",
    )
    assert first.title == "Reset your password"
    assert LogEntry.objects.filter(object_id=str(article.pk), action_flag=CHANGE, user=manager).exists()
    assert "published" in LogEntry.objects.get(action_flag=CHANGE).change_message


def test_restore_makes_an_old_version_current_as_a_new_version(agent, manager, article_fields):
    old_service, new_service = ServiceFactory(), ServiceFactory()
    article = services.article_save(
        article=None,
        by=agent,
        fields=article_fields(services=[old_service], tags=["old"], review_by=date(2026, 1, 1)),
    )
    services.article_save(
        article=article,
        by=agent,
        fields=article_fields(title="Changed", body="New body", services=[new_service]),
    )

    services.article_restore(article=article, version=article.versions.get(number=1), by=manager)

    article.refresh_from_db()
    assert (article.title, article.body, article.review_by) == (
        "Reset your password",
        article_fields().body,
        date(2026, 1, 1),
    )
    assert list(article.services.all()) == [old_service]
    assert list(article.tags.values_list("name", flat=True)) == ["old"]
    restored = article.versions.get(number=3)
    assert (restored.note, restored.created_by) == ("Restored version 1.", manager)
    assert LogEntry.objects.filter(
        object_id=str(article.pk), user=manager, change_message__contains="Restored"
    ).exists()


def test_a_service_standard_is_always_staff_only(agent, article_fields):
    article = services.article_save(
        article=None,
        by=agent,
        fields=article_fields(kind=Article.Kind.STANDARD, audience=Article.Audience.EVERYONE),
    )

    assert article.audience == Article.Audience.STAFF


def test_the_diff_shows_what_changed_since_the_version_before(agent, article_fields):
    article = services.article_save(article=None, by=agent, fields=article_fields(body="line one\nline two"))
    services.article_save(article=article, by=agent, fields=article_fields(body="line one\nline 2"))

    diffs = selectors.article_version_diff(version=article.versions.get(number=2))

    (body,) = diffs
    assert body.name == "body"
    assert "-line two" in body.lines and "+line 2" in body.lines


def test_a_title_match_ranks_above_a_body_match(agent, article_fields):
    in_body = services.article_save(
        article=None,
        by=agent,
        fields=article_fields(title="Working from home", body="Connect the VPN first."),
    )
    in_title = services.article_save(
        article=None, by=agent, fields=article_fields(title="VPN will not connect", body="Check the cable.")
    )
    services.article_save(
        article=None, by=agent, fields=article_fields(title="Printer jams", body="Open tray 2.")
    )

    found = list(selectors.article_list_for_customer(text="vpn"))

    assert found == [in_title, in_body]


def test_search_finds_words_by_their_stem_and_summary(agent, article_fields):
    article = services.article_save(
        article=None, by=agent, fields=article_fields(title="Mail", summary="Sharing mailboxes with a team")
    )

    assert list(selectors.article_list_for_customer(text="shared mailbox")) == [article]
