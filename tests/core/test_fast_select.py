from django import forms

from core.widgets import FastSelect


class _Form(forms.Form):
    colour = forms.ChoiceField(
        choices=[("", "Any"), ("r", "Red <b>"), ("g", "Green")], widget=FastSelect, required=True
    )


def test_fast_select_renders_like_djangos_select():
    html = str(_Form({"colour": "g"})["colour"])

    assert html.startswith('<select name="colour"')
    assert ' id="id_colour"' in html
    assert " required" in html
    assert '<option value="r">Red &lt;b&gt;</option>' in html
    assert '<option value="g" selected>Green</option>' in html
