import pytest
from django import forms

from core.widgets import FastSelect, ShortModelChoiceField
from tickets.models import Team

from ..tickets.factories import TeamFactory

pytestmark = pytest.mark.django_db


class _TeamForm(forms.Form):
    team = ShortModelChoiceField(queryset=Team.objects.order_by("name"), widget=FastSelect, empty_label="Any")


def test_choices_are_read_with_one_plain_query_however_often_they_are_listed(django_assert_num_queries):
    TeamFactory(name="Desk")
    TeamFactory(name="Network")
    form = _TeamForm()

    with django_assert_num_queries(1) as captured:  # no server-side cursor (DECLARE, FETCH, CLOSE)
        html = str(form["team"])
        listed = list(form.fields["team"].choices)

    assert not captured.captured_queries[0]["sql"].startswith("DECLARE")
    assert ">Desk</option><option" in html
    assert [label for _, label in listed] == ["Any", "Desk", "Network"]


def test_a_choice_is_still_checked_against_the_database():
    desk = TeamFactory(name="Desk")

    assert _TeamForm({"team": desk.pk}).is_valid()
    assert not _TeamForm({"team": desk.pk + 1000}).is_valid()
