"""Suggestions while a customer types a new request's title, and "This solved it": the judged
queries find their article first, nothing staff-only or draft is ever suggested, and a deflection
is counted (title kept exactly as typed, audited) with no ticket made."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from knowledge import selectors, services
from knowledge.models import Article, Deflection
from tickets.models import Ticket

from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import ServiceFactory
from .conftest import fields
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

SUGGESTIONS = reverse("knowledge:help_suggestions")
SECRET = "zanzibarquokka"  # only in articles a customer must never read


@pytest.fixture
def corpus(agent):
    """A small help centre: (title, summary, body, service slug); the software and printing
    services each have an "install" article, and the body of the VPN one mentions passwords."""
    catalog = {slug: ServiceFactory(name=slug.title(), slug=slug) for slug in ("software", "printing", "vpn")}
    rows = [
        (
            "Reset your password",
            "Locked out after three tries",
            "Open the password site and ask for a code.",
            "",
        ),
        (
            "Connect to the VPN from home",
            "GlobalProtect on your laptop",
            "Sign in with your password; the password is the same as your laptop's password.",
            "vpn",
        ),
        (
            "Clear a paper jam in the printer",
            "Open tray 2 and pull the sheet",
            "Lift the green lever.",
            "printing",
        ),
        ("Install a printer driver", "For the floor printers", "Choose the printer and install.", "printing"),
        (
            "Install software from the approved list",
            "Company Portal has it",
            "Search and install.",
            "software",
        ),
        ("Share a mailbox or calendar", "Delegate access in Outlook", "Open Outlook settings.", ""),
        ("Your laptop is slow or will not start", "Restart it first", "Hold the power button.", ""),
        (
            "Set up a new starter",
            "Accounts and a laptop ready on day one",
            "Ask five working days ahead.",
            "",
        ),
        ("Report a phishing e-mail", "Use the Report button", "Never click the link.", ""),
        ("Working from another country", "Tell IT two weeks ahead", "Some sites block the VPN.", ""),
    ]
    articles = {}
    for title, summary, body, slug in rows:
        article = services.article_save(
            article=None,
            by=agent,
            fields=fields(title=title, summary=summary, body=body, services=[catalog[slug]] if slug else []),
        )
        articles[title] = article
    return articles, catalog


# What a customer has typed so far (the last word often half-typed), and the article that should come first.
JUDGED = {
    "printer jam": "Clear a paper jam in the printer",
    "cant log in forgot my passw": "Reset your password",
    "vpn wont conn": "Connect to the VPN from home",
    "share my outlook cal": "Share a mailbox or calendar",
    "laptop very slo": "Your laptop is slow or will not start",
    "accounts for a new start": "Set up a new starter",
    "I got a phish": "Report a phishing e-mail",
    "working abroad in another coun": "Working from another country",
}


def test_each_judged_query_finds_its_article_first(corpus):
    found = {text: selectors.article_suggestions(text=text, service=None) for text in JUDGED}

    assert {text: articles[0].title if articles else None for text, articles in found.items()} == JUDGED
    assert all(len(articles) <= selectors.SUGGESTIONS for articles in found.values())


def test_a_lone_letter_such_as_pasted_markup_leaves_the_suggestions_as_they_were(corpus):
    plain = selectors.article_suggestions(text="bold printer", service=None)

    for typed in ("<b>bold</b> printer", "b printer x", "bold printer b"):
        found = selectors.article_suggestions(text=typed, service=None)
        assert [article.pk for article in found] == [article.pk for article in plain], typed
    assert plain and {article.title for article in plain} <= {
        "Clear a paper jam in the printer",
        "Install a printer driver",
    }


def test_the_title_outweighs_a_body_that_repeats_the_word(corpus):
    (first, *_rest) = selectors.article_suggestions(text="password", service=None)

    assert first.title == "Reset your password"


def test_the_chosen_service_lifts_its_article(corpus):
    _articles, catalog = corpus

    for slug, expected in (
        ("software", "Install software from the approved list"),
        ("printing", "Install a printer driver"),
    ):
        (first, *_rest) = selectors.article_suggestions(text="install", service=catalog[slug])
        assert first.title == expected


def test_staff_only_and_draft_articles_are_never_suggested(customer_client, agent):
    service = ServiceFactory(slug="vpn")
    for changes in (
        {"audience": Article.Audience.STAFF},
        {"status": Article.Status.DRAFT},
        {"kind": Article.Kind.STANDARD, "audience": Article.Audience.STAFF},
    ):
        services.article_save(
            article=None,
            by=agent,
            fields=fields(title=f"{SECRET} vpn", summary=SECRET, services=[service], **changes),
        )

    for query in ({"title": SECRET}, {"title": "vpn"}, {"title": SECRET[:5]}, {"service": service.pk}):
        answer = customer_client.get(SUGGESTIONS, query)
        assert answer.status_code == 200 and answer.context["articles"] == []
        assert SECRET not in answer.content.decode()


def test_the_fragment_lists_each_suggestion_with_its_link_and_this_solved_it(customer_client, corpus):
    articles, _catalog = corpus
    article = articles["Clear a paper jam in the printer"]

    text = customer_client.get(SUGGESTIONS, {"title": "printer jam"}).content.decode()

    assert f'href="{reverse("knowledge:help_detail", args=[article.pk])}"' in text
    assert 'target="_blank"' in text and "opens in a new tab" in text
    assert f'hx-post="{reverse("knowledge:help_solved", args=[article.pk])}"' in text


@pytest.mark.parametrize("rows", [2, 12])
def test_the_fragment_runs_constant_queries(customer_client, django_assert_max_num_queries, rows):
    service = ServiceFactory()
    for article in ArticleFactory.create_batch(rows, title="Printer jams again"):
        article.services.add(service)
    Article.objects.update(search_document=None)  # rebuilt below, as article_save does
    for pk in Article.objects.values_list("pk", flat=True):
        services.article_search_document_refresh(pk)

    # user, its own and its groups' permissions, the chosen service, the articles with every word
    # and, when they are fewer than five, those with any
    with django_assert_max_num_queries(6):
        answer = customer_client.get(SUGGESTIONS, {"title": "printer ja", "service": service.pk})

    assert len(answer.context["articles"]) == min(rows, selectors.SUGGESTIONS)


def test_anything_typed_is_answered_and_shown_inert(customer_client):
    ArticleFactory(title="<script>alert(1)</script> and printers")

    for hostile in HOSTILE_INPUTS:
        answer = customer_client.get(SUGGESTIONS, {"title": hostile, "service": hostile[:20]})

        assert answer.status_code == 200, hostile
        assert "<script>alert" not in answer.content.decode()


def test_this_solved_it_counts_a_deflection_and_sends_no_request(customer_client, customer, corpus):
    articles, catalog = corpus
    article = articles["Clear a paper jam in the printer"]
    url = reverse("knowledge:help_solved", args=[article.pk])

    answer = customer_client.post(
        url,
        {"title": "Printer jams on floor 3", "service": catalog["printing"].pk},
        headers={"HX-Request": "true"},
    )
    page = customer_client.get(url)

    assert answer.status_code == 200 and answer["HX-Redirect"] == url
    deflection = Deflection.objects.get()
    assert (deflection.article, deflection.customer, deflection.service, deflection.typed_title) == (
        article,
        customer,
        catalog["printing"],
        "Printer jams on floor 3",
    )
    assert not Ticket.objects.exists()
    assert "Glad that helped" in page.content.decode() and "No request was sent" in page.content.decode()
    assert LogEntry.objects.filter(
        object_id=str(article.pk), user=customer, change_message__contains="Solved"
    ).exists()
    assert selectors.article_stats(article=article).deflections == 1


def test_the_typed_title_is_recorded_exactly_as_typed(customer_client):
    article = ArticleFactory()
    url = reverse("knowledge:help_solved", args=[article.pk])

    for hostile in HOSTILE_INPUTS:
        answer = customer_client.post(url, {"title": hostile})

        # Postgres cannot store NUL and the title holds 200 characters: those are refused, not stored.
        if "\0" in hostile or len(hostile) > 200:
            assert answer.status_code == 400
            assert "could not be counted" in answer.content.decode()
        else:
            assert answer.status_code == 302, hostile
            assert Deflection.objects.latest("pk").typed_title == hostile
    assert Deflection.objects.count() == len(
        [text for text in HOSTILE_INPUTS if "\0" not in text and len(text) <= 200]
    )
    assert not Ticket.objects.exists()


def test_a_customer_cannot_say_a_hidden_article_solved_it(customer_client, agent):
    hidden = services.article_save(article=None, by=agent, fields=fields(audience=Article.Audience.STAFF))

    assert (
        customer_client.post(reverse("knowledge:help_solved", args=[hidden.pk]), {"title": "x"}).status_code
        == 404
    )
    assert customer_client.get(reverse("knowledge:help_solved", args=[hidden.pk])).status_code == 404
    assert not Deflection.objects.exists()


def test_the_submit_form_asks_for_suggestions_as_the_title_is_typed(customer_client):
    text = customer_client.get(reverse("tickets:submit")).content.decode()

    assert f'hx-get="{SUGGESTIONS}"' in text and 'aria-live="polite"' in text
    assert "input changed delay:300ms from:#id_title" in text


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("client", 302), ("customer_client", 200), ("agent_client", 403), ("manager_client", 403)],
)
def test_only_customers_get_suggestions_and_can_deflect(request, corpus, client_name, status):
    articles, _catalog = corpus
    client = request.getfixturevalue(client_name)
    solved = reverse("knowledge:help_solved", args=[articles["Reset your password"].pk])

    assert client.get(SUGGESTIONS, {"title": "password"}).status_code == status
    assert client.get(solved).status_code == status
    assert client.post(solved, {"title": "x"}).status_code == (302 if status == 200 else status)
    assert Deflection.objects.count() == (1 if status == 200 else 0)
