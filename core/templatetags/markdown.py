from django import template
from django.utils.safestring import SafeString

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """{{ ticket.description|markdown }}: user Markdown as sanitised HTML."""
    return render_markdown(text or "")
