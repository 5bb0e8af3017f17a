"""The report card's figures against numbers worked out by hand."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.figures import ReportCard, report_card, survey_totals
from surveys.models import Survey

from .factories import resolved_ticket

pytestmark = pytest.mark.django_db


def make(grade: str = "", *, invited: bool = True, **answers) -> Survey:
    survey = resolved_ticket().surveys.get()
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        invited_at=now if invited else None, answered_at=now if grade else None, grade=grade, **answers
    )
    return survey


@pytest.fixture
def hand_made() -> None:
    """Ten surveys offered, eight answered, one more not sent yet:

    grades A A B C C D F F → points 4+4+3+2+2+1+0+0 = 16 → GPA 16/8 = 2.00
    loyal (A, B) 3/8 = 37.5%; victimized (F) 2/8 = 25%; response 8/10 = 80%
    indifference: one ticked by the customer (a D), one flagged by a manager (an F) → 2/8 = 25%
    empathy answered 4 times: 5 + 4 + 2 + 1 = 12 → 3.00; reliability once: 3 → 3.00
    would choose us: yes, yes, no → 2/3 = 66.7%
    """
    make("A", empathy=5, would_choose_us="yes")
    make("A", empathy=4, would_choose_us="yes")
    make("B", reliability=3)
    make("C")
    make("C", empathy=2, would_choose_us="no")
    make("D", empathy=1, felt_indifference=True)
    make("F", indifference_flagged_at=timezone.now())
    make("F")
    make()  # invited, unanswered
    make()
    make(invited=False)  # waiting for its invitation: not counted as offered


def test_the_report_card_matches_the_hand_made_figures(hand_made):
    card = report_card(Survey.objects.all())

    assert card.invited == 10
    assert card.answered == 8
    assert card.distribution == {"A": 2, "B": 1, "C": 2, "D": 1, "F": 2}
    assert card.gpa == Decimal("2.00")
    assert card.loyalty_rate == Decimal("0.375")
    assert card.victimized_rate == Decimal("0.250")
    assert card.indifference_share == Decimal("0.250")
    assert card.response_rate == Decimal("0.800")
    assert card.would_choose_rate == Decimal("0.667")
    assert card.dimension_averages == {
        "responsiveness": None,
        "reliability": Decimal("3.00"),
        "assurance": None,
        "empathy": Decimal("3.00"),
        "communication": None,
    }
    assert card.distribution_shares[0] == ("A", 2, Decimal("0.250"))


def test_figures_follow_the_set_of_surveys_given(hand_made):
    card = report_card(Survey.objects.filter(grade__in=["A", "B"]))
    assert (card.answered, card.gpa, card.loyalty_rate, card.victimized_rate) == (
        3,
        Decimal("3.67"),
        Decimal("1.000"),
        Decimal("0.000"),
    )


def test_nobody_answered_means_no_figures_not_zero():
    make()
    card = report_card(Survey.objects.all())
    assert (card.invited, card.answered) == (1, 0)
    assert card.gpa is None and card.loyalty_rate is None and card.response_rate == Decimal("0.000")
    assert report_card(Survey.objects.none()).response_rate is None


def test_one_aggregate_query_whatever_the_number_of_surveys(hand_made):
    with CaptureQueriesContext(connection) as queries:
        survey_totals(Survey.objects.all())
    assert len(queries) == 1
    assert "GROUP BY" not in queries[0]["sql"].upper()  # one row of aggregates, no rows pulled into Python


def test_totals_add_up_so_rollups_give_the_same_card(hand_made):
    # The dashboards keep totals per day; summing any split must give the whole's report card.
    graded_high = Survey.objects.filter(grade__in=["A", "B", "C"])
    the_rest = Survey.objects.exclude(grade__in=["A", "B", "C"])
    left, right = survey_totals(graded_high), survey_totals(the_rest)
    summed = {name: left[name] + right[name] for name in left}

    assert ReportCard.from_totals(summed) == report_card(Survey.objects.all())
