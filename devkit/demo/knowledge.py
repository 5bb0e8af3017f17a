"""The demo's knowledge base: a dozen articles a real desk would write for the demo catalog, one of
them stale (its review date passed), staff-only ones (four of them service standards), and the
phones service left without an article, so every list and warning has something to show. Customers
and agents have voted on a few, and a few solved what a customer was about to ask (deflections)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from knowledge.models import Article, ArticleVote, Deflection, DocumentationFlag
from knowledge.services import (
    ArticleFields,
    article_save,
    article_vote,
    deflection_record,
    documentation_flag_raise,
)
from tickets.models import Service, Ticket


@dataclass(frozen=True)
class DemoArticle:
    title: str
    summary: str
    body: str
    services: tuple[str, ...]
    tags: tuple[str, ...]
    owner: str
    review_in_days: int  # negative: the review date has passed
    kind: str = Article.Kind.ARTICLE
    audience: str = Article.Audience.EVERYONE


ARTICLES = [
    DemoArticle(
        "Reset your password when you are locked out",
        "Three wrong tries lock your account for 15 minutes; here is how to get back in sooner.",
        """Your account locks for **15 minutes** after three wrong passwords. You can wait, or reset it now.

1. On any computer or your phone, open **https://passwords.northwind.example**.
2. Enter your work e-mail address and choose **Send me a code**.
3. Type the six-digit code from the text message sent to your company mobile.
4. Choose a new password: at least 14 characters. A short sentence is easy to remember and hard to guess.

Your laptop may ask for the **old** password once more the next time it is on the office network or
the VPN: that is expected. Sign in with the new one.

**No company mobile, or the code never arrives?** Call the service desk on extension 4357. We will
check who you are and reset it with you on the phone.""",
        ("accounts",),
        ("password", "locked out", "sign-in"),
        "sam",
        180,
    ),
    DemoArticle(
        "Connect to the VPN from home",
        "GlobalProtect connects your laptop to the office network; sign in once and leave it on.",
        """You need the VPN for the finance system, shared drives and the intranet. E-mail, Teams and
the web work without it.

1. Click the **globe icon** next to the clock (bottom right) and choose **Connect**.
2. Sign in with your work e-mail and password, then approve the prompt on your phone.
3. The globe turns solid when you are connected.

### If it will not connect
- Check that the internet works without it (open any website).
- Hotel and café Wi-Fi often blocks VPNs until you accept their terms in a browser page: open any
  website first, accept, then connect.
- Restart the laptop: GlobalProtect updates itself and sometimes needs a restart to finish.

Still stuck? Raise a request under **VPN and remote access** with the message it shows.""",
        ("vpn",),
        ("vpn", "remote work", "globalprotect"),
        "priya",
        120,
    ),
    DemoArticle(
        "Print from your laptop and fix a jam",
        "Add the floor's printer once; most jams clear from the side door in a minute.",
        """### Add a printer
Open **Settings → Printers → Add** and pick the one named after your floor, e.g. `NW-2F-EAST`.
Every printer is also in the **Follow-me** queue: print to it, then tap your badge on any printer.

### Clear a jam
1. Open the **side door** (the green handle) and pull the paper straight out, towards you.
2. Check tray 2 for a folded sheet at the back.
3. Close everything firmly; the printer restarts the job itself.

Streaks or faded print usually mean a toner cartridge is low: spares are in the cupboard beside each
printer. Raise a request under **Printer faults** if the same printer jams twice in a day.""",
        ("printer-faults",),
        ("printer", "jam", "follow-me"),
        "priya",
        90,
    ),
    DemoArticle(
        "Set up a new starter",
        "What a manager asks for, and when, so a new colleague has a working laptop on day one.",
        """Ask **ten working days** before the start date, with one request under **Accounts and
passwords**. Give us:

- full name, job title, department and start date;
- their line manager, and a colleague whose access they should mirror;
- anything beyond the standard kit (a second screen, specialist software).

We create the account and mailbox, prepare the laptop, and send the manager the first-day password
in a separate e-mail. On the first morning the new starter collects the laptop from the service desk
on the ground floor, where we sign them in and set up their phone for sign-in approvals.""",
        ("accounts", "laptops"),
        ("new starter", "onboarding", "access"),
        "maria",
        150,
    ),
    DemoArticle(
        "Share a mailbox or calendar with your team",
        "A shared mailbox (e.g. invoices@) appears in Outlook by itself once IT gives you access.",
        """Shared mailboxes are for addresses a team answers together, such as `invoices@` or
`facilities@`. Ask under **E-mail and calendar** and name everyone who needs it; the mailbox's owner
is asked to agree.

Once access is given, the mailbox appears in Outlook's folder list within an hour. Restart Outlook if
it has not. To send *as* the mailbox, choose **From → Other e-mail address** when writing.

To share your own calendar, open it, choose **Share**, add the colleague and pick what they may see.""",
        ("email",),
        ("mailbox", "calendar", "outlook"),
        "sam",
        200,
    ),
    DemoArticle(
        "Get e-mail on your phone",
        "Use Outlook for iOS or Android: sign in with your work address and approve the prompt.",
        """1. Install **Microsoft Outlook** from the App Store or Google Play.
2. Open it and sign in with your work e-mail address.
3. Approve the sign-in on your phone when asked, and allow the company's device policy: it only
   protects work data and lets IT wipe *work* data, never your photos.

The phone's built-in mail app is not supported: it cannot keep company data protected.""",
        ("email",),
        ("mobile", "outlook"),
        "sam",
        160,
    ),
    DemoArticle(
        "Install software from the approved list",
        "Most approved software installs itself from Company Portal in a few minutes.",
        """Open **Company Portal** from the Start menu, search for the application and choose
**Install**. It runs in the background; you can keep working.

Not in Company Portal? Raise a request under **Software installation** with the name, what you need
it for, and who pays for the licence if it is not free. We check it is safe and licensed, which
usually takes two working days.""",
        ("software",),
        ("software", "company portal", "licence"),
        "priya",
        140,
    ),
    DemoArticle(
        "Your laptop is slow or will not start",
        "Restart it properly, check for updates, and tell us what you see if that does not help.",
        """**Slow:** choose **Start → Power → Restart** (not Shut down: that keeps some of the
slowness), then let updates finish. Close browser tabs you do not need; each one uses memory.

**Will not start:** plug in the charger and hold the power button for 15 seconds, then press it
once. If the screen stays black, or it shows a blue screen with a code, raise a request under
**Laptops and desktops** and include the code. We lend you a laptop while we fix yours.""",
        ("laptops",),
        ("laptop", "slow", "restart"),
        "priya",
        100,
    ),
    DemoArticle(
        "Working from another country",
        "Tell IT a week ahead: some systems block sign-ins from abroad until we allow them.",
        """Our sign-in protection blocks unusual countries. A week before you travel, raise a request
under **VPN and remote access** with the countries and dates. We allow them for that trip only.

Take your charger and a travel adapter; the service desk cannot post replacements abroad.""",
        ("vpn", "accounts"),
        ("travel", "abroad", "sign-in"),
        "maria",
        -20,  # stale: the travel policy changed and nobody has reviewed this since
    ),
    DemoArticle(
        "Stop a phishing e-mail",
        "Suspicious e-mail? Use Report in Outlook, do not click, and tell us if you already did.",
        """Signs of phishing: urgency, a sender you do not expect, a link whose address does not
match the company it claims to be, or a request for your password (**IT never asks for it**).

Choose **Report → Phishing** in Outlook. If you already clicked or typed your password, call the
service desk on extension 4357 straight away: we reset your password and check your account.""",
        ("email", "accounts"),
        ("security", "phishing"),
        "sam",
        170,
    ),
    DemoArticle(
        "Unlocking accounts: check who is asking first",
        "Staff only: how to verify a caller before a reset, and when to refuse.",
        """Before resetting a password or unlocking an account by phone:

1. Call the person back on the number in the directory, never the number they called from.
2. Ask for their employee number and their line manager's name, and check both.
3. For senior executives and anyone in Finance, also confirm by Teams message.

If the checks fail, do not reset. Be polite, explain that we protect their account this way, and log
the attempt as an internal note.""",
        ("accounts",),
        ("security", "verification", "internal"),
        "maria",
        60,
        audience=Article.Audience.STAFF,
    ),
    DemoArticle(
        "How we greet and what we never say",
        "Our service standard for every call, chat and reply: what is and isn't acceptable.",
        """### Always
- Greet by name, say yours, and tell the customer what happens next and when.
- Own the request until it is resolved or handed over *with* an introduction.
- When IT does not do something, say who does and how to reach them: never a flat no.

### Never
- "That's not our problem" or "you should have raised a ticket": show them the way instead.
- Blame another team, a supplier or the customer.
- Close a request without the customer knowing it is done.

Customers who are unhappy with us cannot go elsewhere. Treat every frustrated customer as someone
we are about to lose.""",
        (),
        ("service standard", "conduct"),
        "maria",
        90,
        kind=Article.Kind.STANDARD,
        audience=Article.Audience.STAFF,
    ),
    DemoArticle(
        "When to escalate, and to whom",
        "Our service standard for handing a request on: when it must go up, and how.",
        """### Escalate at once
- A P1: many people cannot work, or money, safety or data is at risk. Tell the on-call engineer by
  phone, then Maria; an e-mail alone is not an escalation.
- A suspected security incident (a phishing click, a lost laptop, an account behaving oddly): the
  security team first, before you try to fix anything.
- A customer who asks for a manager: offer Maria's next free slot the same day, politely, without
  arguing the case first.

### Escalate before the SLA says so
- When you will not meet the first-response or resolution target and you know it now, not when
  the clock runs out.
- When a request has bounced between teams twice: take it back, own it, and get the teams talking.

### How
Escalating is not giving away: write an internal note with what you tried, what you know and what
the customer was told, tell the customer who has it now and when they will hear, and stay on the
request until the other side has picked it up.""",
        (),
        ("service standard", "escalation"),
        "maria",
        90,
        kind=Article.Kind.STANDARD,
        audience=Article.Audience.STAFF,
    ),
    DemoArticle(
        "What a VIP may have done at once",
        "Our service standard for senior executives and other VIPs: what we do without asking.",
        """Some customers' time costs the company more: the VIP badge on a request says so. For them,
without asking a manager first, you may:

- **Swap the laptop** for a ready spare from the store room on the spot; repair the old one later.
- **Go to their desk** (or join their call) instead of working by remote session.
- **Lend a company mobile** for the day when theirs is lost or broken.
- **Reset MFA or a password by phone**, once the identity checks are done (the checks are never
  skipped, for anyone).

What stays the same: the queue order for everyone else is not jumped for a VIP's cosmetic request,
and you never share another customer's request or a colleague's internal note.

If a VIP asks for something not on this list, say what you can do now and ask Maria the same hour.""",
        (),
        ("service standard", "vip"),
        "maria",
        90,
        kind=Article.Kind.STANDARD,
        audience=Article.Audience.STAFF,
    ),
    DemoArticle(
        "What a customer may see, and what stays internal",
        "Our service standard for replies and notes: what goes to a customer and what never does.",
        """### Goes to the customer
Replies: plain words, what was done, what happens next and when, and what they need to do.

### Never goes to the customer
- Internal notes, another customer's name or request, a colleague's opinion of them.
- Their customer category (VIP, repeat requester, …): it is our label, not theirs.
- Passwords, MFA codes or recovery links in a reply: those go only through the password site.

Before you send, read your reply as if you were the customer: would you be happy to see it
forwarded to your manager?""",
        (),
        ("service standard", "privacy"),
        "maria",
        90,
        kind=Article.Kind.STANDARD,
        audience=Article.Audience.STAFF,
    ),
]


def knowledge_demo_seed(users: dict[str, User]) -> None:
    """Write the demo articles that do not exist yet (by title), each as a published version 1."""
    existing = set(Article.objects.values_list("title", flat=True))
    services = {service.slug: service for service in Service.objects.all()}
    today = timezone.localdate()
    for demo in ARTICLES:
        if demo.title in existing:
            continue
        article_save(
            article=None,
            by=users[demo.owner],
            fields=ArticleFields(
                title=demo.title,
                summary=demo.summary,
                body=demo.body,
                kind=demo.kind,
                audience=demo.audience,
                status=Article.Status.PUBLISHED,
                services=[services[slug] for slug in demo.services],
                tags=list(demo.tags),
                owner=users[demo.owner],
                review_by=today + timedelta(days=demo.review_in_days),
            ),
            note="First published.",
        )
    knowledge_demo_usage_seed(users)


# (article title, customer, service slug, what they had typed, days ago)
DEFLECTIONS = [
    (
        "Print from your laptop and fix a jam",
        "alice",
        "printer-faults",
        "Printer on floor 2 keeps jamming",
        12,
    ),
    ("Print from your laptop and fix a jam", "dana", "printer-faults", "paper jam warehouse printer", 5),
    ("Reset your password when you are locked out", "ben", "accounts", "Locked out of my account", 9),
    ("Reset your password when you are locked out", "chen", "accounts", "password expired", 3),
    ("Connect to the VPN from home", "alice", "vpn", "VPN will not connect from home", 2),
]
# (article title, voter, helpful)
VOTES = [
    ("Print from your laptop and fix a jam", "alice", True),
    ("Print from your laptop and fix a jam", "dana", True),
    ("Print from your laptop and fix a jam", "ben", False),
    ("Reset your password when you are locked out", "ben", True),
    ("Connect to the VPN from home", "alice", True),
    ("Connect to the VPN from home", "sam", True),
    ("Your laptop is slow or will not start", "dana", False),
    ("Unlocking accounts: check who is asking first", "priya", True),
]


def knowledge_demo_usage_seed(users: dict[str, User]) -> None:
    """Votes and deflections on the demo articles, through the services (audited), once."""
    if Deflection.objects.exists() or ArticleVote.objects.exists():
        return
    articles = {article.title: article for article in Article.objects.only("pk", "title")}
    services = {service.slug: service for service in Service.objects.all()}
    now = timezone.now()
    for title, customer, slug, typed, days_ago in DEFLECTIONS:
        deflection_record(
            article=articles[title],
            customer=users[customer],
            service=services.get(slug),
            typed_title=typed,
            now=now - timedelta(days=days_ago),
        )
    for title, voter, helpful in VOTES:
        article_vote(article=articles[title], voter=users[voter], helpful=helpful)


def knowledge_flags_demo_seed(users: dict[str, User]) -> None:
    """The first time only, once the week's tickets exist: Sam finds the VPN article out of date on
    Chen's ticket (Priya, its owner, is told) and nothing on label printers on Dana's (a draft is
    opened for the service, the managers told)."""
    if DocumentationFlag.objects.exists():
        return
    vpn_ticket = Ticket.objects.filter(title="VPN disconnects every few minutes").first()
    vpn_article = Article.objects.filter(title="Connect to the VPN from home").first()
    labels_ticket = Ticket.objects.filter(title="Warehouse label printer prints blank labels").first()
    now = timezone.now()
    if vpn_ticket and vpn_article:
        documentation_flag_raise(
            ticket=vpn_ticket,
            by=users["sam"],
            kind=DocumentationFlag.Kind.WRONG,
            article=vpn_article,
            reason="Step 1 says the globe icon: since GlobalProtect 6.2 it is a shield, and people cannot find it.",
            now=now - timedelta(hours=3),
        )
    if labels_ticket:
        documentation_flag_raise(
            ticket=labels_ticket,
            by=users["sam"],
            kind=DocumentationFlag.Kind.MISSING,
            reason="Nothing on the warehouse's Zebra label printers: blank labels mean the ribbon is in backwards.",
            now=now - timedelta(hours=2),
        )
