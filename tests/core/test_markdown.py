import re
from html.parser import HTMLParser

import pytest

from core.markdown import render_markdown

from ..hostile import HOSTILE_INPUTS
from ..html_safety import assert_inert_html


def test_markdown_keeps_formatting_and_safe_links():
    html = render_markdown("**Bold** and [the form](https://intranet.example/form)\n\n- one\n- two")

    assert "<strong>Bold</strong>" in html
    assert '<a href="https://intranet.example/form" rel="noopener noreferrer nofollow">the form</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_markdown_renders_inert(hostile):
    html = render_markdown(hostile)

    assert_inert_html(html)


def test_the_checker_itself_catches_a_dangerous_fragment():
    with pytest.raises(AssertionError, match="onerror"):
        assert_inert_html('<p><img src=x onerror="alert(1)"></p>')


def _shown(html: str) -> str:
    """The text a reader sees in a fragment (entities decoded, tags dropped)."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.text)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("typed", ["Error: `<NoSignal>`", "Error: <NoSignal>"])
def test_angle_brackets_show_as_typed(typed):
    html = render_markdown(typed)

    assert _shown(html) == "Error: <NoSignal>"
    assert "&lt;NoSignal&gt;" in html


def test_typed_html_shows_as_text_while_markdown_still_formats():
    typed = '<b>bold?</b> **bold** <!-- note --> &amp; &lt;tag&gt;\n\n<div class="x">\n<xml a="1"/>\n</div>'

    html = render_markdown(typed)

    assert "<strong>bold</strong>" in html
    assert "<b>" not in html and "<div" not in html and "<xml" not in html
    shown = _shown(html)
    for piece in ["<b>bold?</b>", "<!-- note -->", "&amp; &lt;tag&gt;", '<div class="x">', '<xml a="1"/>']:
        assert piece in shown


def test_log_lines_and_code_keep_their_brackets():
    typed = '```\n<Error code="5">\n  <Msg>No signal</Msg>\n</Error>\n```\n2026-12-01 <WARN> disk <95%> full'

    shown = _shown(render_markdown(typed))

    assert '<Error code="5">\n  <Msg>No signal</Msg>\n</Error>' in shown
    assert "2026-12-01 <WARN> disk <95%> full" in shown


def test_autolinks_and_phone_links_are_still_links():
    html = render_markdown("<https://intranet.example/form>, [call](tel:+442079460000), <fran@example.com>")

    assert '<a href="https://intranet.example/form"' in html
    assert '<a href="tel:+442079460000"' in html
    assert '<a href="mailto:fran@example.com"' in html


_TAG_LIKE = re.compile(r"<(?![a-z]+://)[^<>\n]*>", re.IGNORECASE)  # not a Markdown autolink <https://…>


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_markup_shows_as_typed(hostile):
    shown = _shown(render_markdown(hostile))

    for tag in _TAG_LIKE.findall(hostile):
        assert tag in shown


def test_one_converter_renders_document_after_document_as_a_fresh_one_would():
    """The converter is kept and reset between documents: nothing of one reaches the next."""
    from core.markdown import _clean, _markdown_without_raw_html, _render

    documents = [
        "A &lt;tag&gt; typed, `code`, and <b>bold</b>",
        "| a | b |\n| - | - |\n| 1 | 2 |",
        "```\n<script>x</script>\n```",
        "- one\n- two\n\nline\nbreak",
        *HOSTILE_INPUTS[:20],
    ]
    for text in documents * 2:
        assert _render(text) == _clean(_markdown_without_raw_html().convert(text)) == render_markdown(text)


def test_a_text_seen_before_is_not_rendered_again(monkeypatch):
    from core import markdown as module

    text = "Seen *before*: the printer on floor 3."
    first = render_markdown(text)
    monkeypatch.setattr(module, "_render", lambda text: "rendered again")

    assert render_markdown(text) == first
    assert render_markdown("x" * (module.CACHED_TEXT_LIMIT + 1)) == "rendered again"  # long: each time
