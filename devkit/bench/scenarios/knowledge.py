"""Benchmark scenarios of the knowledge base (see ../harness.py): the articles suggested while a
customer types a new request's title, on a help centre of 10,000 articles (made here, varied and
realistic, when the database has fewer)."""

import itertools
import random
from collections.abc import Callable

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from devkit.bench.harness import Scenario
from knowledge.models import Article
from knowledge.services import article_search_documents_refresh
from tickets.models import Service

ARTICLES = 10_000  # the help centre the target is set for (a test sets a handful)

# What customers type, a keystroke pause at a time (the last word often half-typed).
TYPED = [
    "printer",
    "printer jam",
    "printer keeps jamm",
    "vpn",
    "vpn will not conn",
    "cant log in",
    "forgot my passw",
    "outlook",
    "outlook shared mailb",
    "laptop slow",
    "laptop will not st",
    "new starter acc",
    "teams camera not work",
    "wifi keeps dropp",
    "monitor flicker",
    "install softw",
    "phishing email",
    "badge does not open the do",
    "my phone email not sync",
    "excel crash",
]

DEVICES = [
    "laptop",
    "printer",
    "monitor",
    "docking station",
    "headset",
    "phone",
    "badge",
    "keyboard",
    "webcam",
    "tablet",
    "scanner",
    "projector",
    "desk phone",
    "USB drive",
    "smart card reader",
]
APPS = [
    "Outlook",
    "Teams",
    "Excel",
    "the VPN",
    "SharePoint",
    "OneDrive",
    "the finance system",
    "the HR portal",
    "Zoom",
    "the intranet",
    "Company Portal",
    "the expenses app",
    "Power BI",
    "the CRM",
    "Wi-Fi",
]
PROBLEMS = [
    "will not start",
    "keeps disconnecting",
    "is slow",
    "shows an error",
    "jams",
    "will not sync",
    "asks for a password again",
    "is locked",
    "cannot find the network",
    "crashes on open",
    "has no sound",
    "flickers",
    "will not print",
    "cannot sign in",
    "runs out of space",
]
ACTIONS = [
    "Fix",
    "Set up",
    "Reset",
    "Connect",
    "Install",
    "Update",
    "Share",
    "Move",
    "Replace",
    "Clean up",
    "Recover",
    "Troubleshoot",
    "Request",
    "Configure",
    "Back up",
]
PLACES = ["at home", "in the office", "abroad", "on the train", "in a meeting room", "after an update", ""]


def bench_scenarios() -> list[Scenario]:
    return [Scenario(f"help: suggestions while typing ({ARTICLES:,} articles)", _suggestions)]


def _suggestions() -> Callable[[], object]:
    articles_ensure(ARTICLES)
    customer = User.objects.filter(groups__name="Customers", is_active=True).order_by("pk").first()
    if customer is None:
        raise RuntimeError("No customer to benchmark with: run `manage.py seed_demo` (or seed_bench) first.")
    client = Client(headers={"HX-Request": "true"})
    client.force_login(customer)
    services = list(Service.objects.filter(is_active=True).values_list("pk", flat=True)[:5]) or [""]
    url = reverse("knowledge:help_suggestions")
    queries = itertools.cycle(
        [{"title": text} for text in TYPED]
        + [{"title": text, "service": pk} for text in TYPED[::3] for pk in services[:2]]
    )

    def request():
        response = client.get(url, next(queries))
        assert response.status_code == 200, response.status_code
        return response

    return request


def articles_ensure(count: int, *, seed: int = 17) -> None:
    """Make varied articles until the database holds `count` (80% published for everyone, the rest
    staff-only or drafts, each about one or two services), then build their search documents."""
    missing = count - Article.objects.count()
    if missing <= 0:
        return
    rng = random.Random(seed)
    things = DEVICES + APPS
    services = list(Service.objects.values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    for _ in range(missing):
        thing = rng.choice(things)
        problem, other = rng.sample(PROBLEMS, 2)
        action = rng.choice(ACTIONS)
        place = rng.choice(PLACES)
        title = f"{action} {thing} {place}".strip() if rng.random() < 0.5 else f"When {thing} {problem}"
        roll = rng.random()
        audience, status = (
            (Article.Audience.EVERYONE, Article.Status.PUBLISHED)
            if roll < 0.8
            else (Article.Audience.STAFF, Article.Status.PUBLISHED)
            if roll < 0.95
            else (Article.Audience.EVERYONE, Article.Status.DRAFT)
        )
        steps = "\n".join(
            f"{number}. {rng.choice(ACTIONS)} {rng.choice(things)}; does it still {rng.choice(PROBLEMS)}?"
            for number in range(1, rng.randint(3, 7))
        )
        rows.append(
            Article(
                title=title[:200],
                summary=f"If your {thing} {problem} or {other}, try this first.",
                body=f"Most of the time your {thing} {problem} because of a setting.\n\n{steps}\n\n"
                f"Still stuck? Ask IT and say what {rng.choice(APPS)} showed.",
                audience=audience,
                status=status,
                created_at=now,
                updated_at=now,
                published_at=now if status == Article.Status.PUBLISHED else None,
            )
        )
    with transaction.atomic():
        made = Article.objects.bulk_create(rows, batch_size=1000)
        if services:
            links = [
                Article.services.through(article_id=article.pk, service_id=service)
                for article in made
                for service in rng.sample(services, rng.choice([1, 1, 2]))
            ]
            Article.services.through.objects.bulk_create(links, batch_size=2000)
        article_search_documents_refresh(Article.objects.filter(search_document__isnull=True))
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: fresh statistics, the GIN index's pending
        # list merged. The bench measures the steady state, not the minute after the load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE knowledge_article, knowledge_article_services")
