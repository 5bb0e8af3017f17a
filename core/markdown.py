"""User-written Markdown, rendered to HTML that can do nothing but show text and links."""

import html

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


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML: whatever HTML the person typed shows as text, exactly as typed."""
    rendered = _markdown_without_raw_html().convert(text)
    # Typed HTML never reaches the output as markup; nh3 (an allowlist sanitiser) stays as the last
    # line of defence for what Markdown itself builds (links: their schemes and attributes).
    return mark_safe(
        nh3.clean(
            rendered,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=ALLOWED_URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        )
    )
