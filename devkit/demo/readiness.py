"""The demo's readiness: Sam and Priya trained on several services (phones on nobody), the
standards read by all but one (Priya has one still to read), and one service announced but not
yet supported, so the readiness page, the banner and the go-live check all have something to show."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from knowledge.models import Article
from readiness.models import TrainingRecord
from readiness.services import TrainingFields, article_acknowledge, training_record_create
from tickets.models import Service, Team

# (agent, service slug, trainer or None, days ago, the article's title or None, check question, answer).
TRAINING = [
    ("sam", "accounts", "maria", 120, "Reset your password when you are locked out",
     "How do you check who is calling before a reset?", "Call back on the directory number."),
    ("sam", "email", "maria", 110, None, "", ""),
    ("sam", "vpn", "priya", 60, "Connect to the VPN from home",
     "What do you check first when the VPN will not connect?", "That the internet works without it."),
    ("sam", "something-else", None, 200, None, "", ""),
    ("priya", "laptops", "maria", 300, None, "", ""),
    ("priya", "vpn", None, 90, "Connect to the VPN from home", "", ""),
    ("priya", "printer-faults", "sam", 45, "Print from your laptop and fix a jam",
     "Where do most jams clear from?", "The side door with the green handle."),
    ("priya", "software", "maria", 150, None, "", ""),
]  # fmt: skip

NOT_YET_SUPPORTED = {
    "slug": "meeting-rooms",
    "name": "Meeting room video",
    "summary": "Screens, cameras and room booking panels in the meeting rooms (coming soon).",
}
STILL_TO_READ = ("priya", "What a VIP may have done at once")


def readiness_demo_seed(users: dict[str, User]) -> None:
    """Record the training and acknowledgements that do not exist yet, and the coming service."""
    services = {service.slug: service for service in Service.objects.all()}
    articles = {article.title: article for article in Article.objects.all()}
    today = timezone.localdate()
    if not Service.objects.filter(slug=NOT_YET_SUPPORTED["slug"]).exists():
        Service.objects.create(
            **NOT_YET_SUPPORTED,
            not_yet_supported=True,
            default_team=Team.objects.filter(name="Service Desk").first(),
        )
    for agent, slug, trainer, days_ago, title, question, answer in TRAINING:
        if services[slug].pk in _trained(users[agent]):
            continue
        training_record_create(
            fields=TrainingFields(
                agent=users[agent],
                service=services[slug],
                article=articles.get(title) if title else None,
                trained_by=users[trainer] if trainer else None,
                completed_on=today - timedelta(days=days_ago),
                check_question=question,
                check_answer=answer,
                check_passed=True if question else None,
                note="",
            ),
            by=users[trainer] if trainer else users[agent],
        )
    for standard in Article.objects.filter(kind=Article.Kind.STANDARD, status=Article.Status.PUBLISHED):
        for username in ("maria", "sam", "priya"):
            if (username, standard.title) != STILL_TO_READ:
                article_acknowledge(agent=users[username], article=standard)


def _trained(agent: User) -> set[int]:
    return set(TrainingRecord.objects.filter(agent=agent).values_list("service_id", flat=True))
