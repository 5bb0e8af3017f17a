from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from customers.models import CategoryChange, CustomerProfile
from devkit.demo.company import DEMO_PASSWORD, DEMO_USERS
from devkit.demo.surveys import GRADED
from knowledge.models import Article, ArticleUse, DocumentationFlag
from meetings.models import StaffMeeting
from notifications.models import Notification
from surveys.models import RecoveryCase, Survey
from tickets.models import Service, Ticket, TicketCC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded_twice")]


@pytest.fixture(scope="module")
def demo_seeded_twice(django_db_setup, django_db_blocker):
    """The demo company, seeded twice (as `make run` does each time it starts), once for the whole
    module: each test runs inside it in its own savepoint, and the module's transaction is rolled
    back at the end. Seeding is the slow part; every test here reads the same result."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_seed_demo_creates_every_role_and_is_idempotent():
    assert User.objects.count() == len(DEMO_USERS)
    assert Ticket.objects.count() == 12 + len(GRADED) + 1
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Ticket.Status.values)
    assert Service.objects.filter(provided_by_it=False).exists()
    categories = dict(CustomerProfile.objects.values_list("user__username", "category"))
    assert categories == {"alice": "general", "ben": "repeat_offender", "chen": "vip", "dana": "general"}
    assert CategoryChange.objects.get(profile__user__username="chen").reason == "Rule: senior executive"
    copied = TicketCC.objects.get()  # one request with a colleague copied, for Copied to me
    assert (copied.ticket.customer.username, copied.user.username) == ("alice", "chen")
    assert CategoryChange.objects.get(profile__user__username="ben").changed_by.username == "maria"
    roles = {user.username: user.role for user in User.objects.all()}
    assert roles["maria"] == Role.MANAGER
    assert roles["sam"] == Role.AGENT
    assert roles["alice"] == Role.CUSTOMER


def test_seed_demo_grades_requests_and_recovers_each_way():
    answered = Survey.objects.filter(answered_at__isnull=False)
    assert sorted(answered.values_list("grade", flat=True)) == sorted(g.grade for g in GRADED)
    assert set(RecoveryCase.objects.values_list("status", flat=True)) == {"open", "contacted", "closed"}
    waiting = Survey.objects.get(
        customer__username="alice", answered_at__isnull=True, ticket__status="resolved"
    )
    assert waiting.ticket.title == "Second monitor flickers"


def test_seed_demo_holds_one_past_staff_meeting_with_two_actions_one_closed(client):
    held = StaffMeeting.objects.get()
    assert held.held_on < timezone.localdate()
    assert sorted(bool(action.closed_at) for action in held.actions.all()) == [False, True]
    client.force_login(User.objects.get(username="maria"))
    assert client.get(held.get_absolute_url()).status_code == 200


def test_seed_demo_leaves_a_changed_password_alone():
    alice = User.objects.get(username="alice")
    alice.set_password("alice-own-password-1")
    alice.save()

    call_command("seed_demo", stdout=StringIO())

    alice.refresh_from_db()
    assert alice.check_password("alice-own-password-1")
    assert not alice.check_password(DEMO_PASSWORD)


def test_seed_demo_notices_are_spread_over_its_weeks_and_the_answered_ones_done():
    now = timezone.now()

    for customer in ("alice", "ben", "chen", "dana"):
        notices = Notification.objects.filter(recipient__username=customer)
        stamped = {n.created_at.date() for n in notices}
        assert len(stamped) >= 4, customer  # not all at the seed moment
        unread = notices.filter(read_at__isnull=True)
        assert unread.count() <= 10, customer  # the last two days only, not 19-27
        assert not unread.filter(created_at__lt=now - timedelta(days=2)).exists()
    # "How did IT do?" is done for every graded request, and for nothing else.
    invitations = Notification.objects.filter(key__startswith="survey-invitation:")
    assert invitations.count() == invitations.filter(done_at__isnull=False).count() == len(GRADED)


def test_seed_demo_writes_a_knowledge_base_with_a_stale_article_and_staff_only_standard():
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert articles.count() == 15
    assert all(article.versions.count() == 1 for article in articles)
    assert articles.filter(review_by__lt=timezone.localdate()).count() == 1
    assert articles.filter(audience=Article.Audience.STAFF).count() == 5
    standards = articles.filter(kind=Article.Kind.STANDARD)
    assert "How we greet and what we never say" in {standard.title for standard in standards}
    assert standards.count() == 4
    assert set(articles.values_list("owner__username", flat=True)) <= {"maria", "sam", "priya"}
    assert Service.objects.filter(provided_by_it=True, articles__isnull=True).filter(slug="phones").exists()


def test_seed_demo_links_an_article_in_a_reply_and_leaves_a_wrong_and_a_missing_flag_open():
    vpn = Article.objects.get(title="Connect to the VPN from home")
    assert ArticleUse.objects.filter(article=vpn, message__is_internal=False).count() == 1
    flags = {flag.kind: flag for flag in DocumentationFlag.objects.filter(resolved_at__isnull=True)}
    assert set(flags) == {"wrong", "missing"} and DocumentationFlag.objects.count() == 2
    assert flags["wrong"].article == vpn and flags["wrong"].draft is None
    told = Notification.objects.filter(key=f"knowledge-flag:{flags['wrong'].pk}", recipient=vpn.owner)
    assert told.exists()
    draft = flags["missing"].draft
    assert draft.status == Article.Status.DRAFT and list(draft.services.all()) == [flags["missing"].service]
