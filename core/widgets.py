from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A <select> built in Python. Django renders every <option> through a template, which costs
    milliseconds for a list of 300 agents on pages that must answer in 25 ms."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{escape(str(option["value"]))}"{" selected" if option["selected"] else ""}>'
            f"{escape(str(option['label']))}</option>"
            for _group_name, group, _index in widget["optgroups"]
            for option in group
        )
        # Every value and label above is escaped; flatatt escapes the attributes.
        return mark_safe(
            f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>{options}</select>'
        )
