"""User-written Markdown, rendered to HTML that can do nothing but show text and links."""

import functools
import html
import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.inlinepatterns import ENTITY_RE, InlineProcessor

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]


class _TypedEntityProcessor(InlineProcessor):
    """`&lt;` typed by a person shows as `&lt;`, not as `<`."""

    def handleMatch(self, m, data) -> tuple[str, int, int]:
        return self.md.htmlStash.store(html.escape(m.group(0))), m.start(0), m.end(0)


def _markdown_without_raw_html() -> markdown.Markdown:
    """Python-Markdown that formats Markdown but takes typed HTML (tags, comments, entities) as text."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.register(_TypedEntityProcessor(ENTITY_RE, md), "entity", 80)
    return md


# A converter is costly to build (its extensions compile their patterns), so each thread keeps one
# and resets it between documents, as Python-Markdown provides for.
_converters = threading.local()
# Pages show the same replies again and again (a ticket reread, each agent's view of it); the
# rendering depends on the text alone, so recent ones are kept. Long texts are rendered each time.
CACHED_TEXT_LIMIT = 4_000


def _converter() -> markdown.Markdown:
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = _markdown_without_raw_html()
    return md


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML: whatever HTML the person typed shows as text, exactly as typed."""
    return mark_safe(_rendered(text) if len(text) <= CACHED_TEXT_LIMIT else _render(text))


@functools.lru_cache(maxsize=1024)
def _rendered(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    return _clean(_converter().reset().convert(text))


def _clean(rendered: str) -> str:
    # Typed HTML never reaches the output as markup; nh3 (an allowlist sanitiser) stays as the last
    # line of defence for what Markdown itself builds (links: their schemes and attributes).
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
