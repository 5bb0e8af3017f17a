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
