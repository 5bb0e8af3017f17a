"""The report card's figures for any set of surveys, computed by the database in one query.

`survey_totals` sums what the figures are made of (counts per grade, sums and counts per
dimension, …); `ReportCard.from_totals` turns totals into rates and averages. Totals add up, so
daily rollups (the dashboards) can store totals and produce exactly the same report card.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from .models import DIMENSIONS, GRADE_POINTS, Grade, Survey

# A to F, once: Grade.values builds a new list on every use, and dashboards build many cards.
GRADES = tuple(Grade.values)
# The grade_A … grade_F totals, by grade.
GRADE_TOTALS = tuple((grade, f"grade_{grade}") for grade in GRADES)

_POINTS = {grade: GRADE_POINTS[grade] for grade in GRADES}  # keyed by plain str: faster lookups
# (dimension, its sum total, its count total).
_DIMENSION_TOTALS = tuple((name, f"{name}_sum", f"{name}_count") for name in DIMENSIONS)

# The totals a report card is made of; every one is a plain sum over surveys.
TOTAL_NAMES = (
    "invited",
    "answered",
    *(name for _, name in GRADE_TOTALS),
    "indifference",
    "would_choose_yes",
    "would_choose_answered",
    *(f"{name}_sum" for name in DIMENSIONS),
    *(f"{name}_count" for name in DIMENSIONS),
)

_ANSWERED = Q(answered_at__isnull=False)


def survey_total_aggregates() -> dict:
    """The aggregate expressions of the totals, for `aggregate()` or, grouped, `annotate()`."""
    return {
        # Offered to the customer: invited by e-mail, or answered from the portal before that.
        "invited": Count("pk", filter=Q(invited_at__isnull=False) | _ANSWERED),
        "answered": Count("pk", filter=_ANSWERED),
        **{f"grade_{grade}": Count("pk", filter=Q(grade=grade)) for grade in Grade.values},
        "indifference": Count(
            "pk", filter=_ANSWERED & (Q(felt_indifference=True) | Q(indifference_flagged_at__isnull=False))
        ),
        "would_choose_yes": Count("pk", filter=Q(would_choose_us="yes")),
        "would_choose_answered": Count("pk", filter=~Q(would_choose_us="")),
        **{f"{name}_sum": Sum(name) for name in DIMENSIONS},
        **{f"{name}_count": Count(name) for name in DIMENSIONS},
    }


def survey_totals(surveys: QuerySet[Survey]) -> dict[str, int]:
    """The totals of a set of surveys, in one aggregate query."""
    totals = surveys.order_by().aggregate(**survey_total_aggregates())
    return {name: totals[name] or 0 for name in TOTAL_NAMES}


@dataclass(frozen=True)
class ReportCard:
    invited: int
    answered: int
    distribution: dict[str, int]  # grade → responses, A to F
    gpa: Decimal | None  # A=4 … F=0; None when nobody answered
    loyalty_rate: Decimal | None  # share of A and B: loyalty lives only there
    victimized_rate: Decimal | None  # share of F
    indifference_share: Decimal | None
    response_rate: Decimal | None  # answered / invited
    would_choose_rate: Decimal | None  # "yes" among those who answered the question
    dimension_averages: dict[str, Decimal | None]  # 1–5, by dimension

    @classmethod
    def from_totals(cls, totals: dict[str, int]) -> "ReportCard":
        answered = totals["answered"]
        distribution = {grade: totals[name] for grade, name in GRADE_TOTALS}
        return cls(
            invited=totals["invited"],
            answered=answered,
            distribution=distribution,
            gpa=gpa(totals),
            loyalty_rate=ratio(distribution[Grade.A] + distribution[Grade.B], answered),
            victimized_rate=ratio(distribution[Grade.F], answered),
            indifference_share=ratio(totals["indifference"], answered),
            response_rate=ratio(answered, totals["invited"]),
            would_choose_rate=ratio(totals["would_choose_yes"], totals["would_choose_answered"]),
            dimension_averages={
                name: ratio(totals[sum_name], totals[count_name], places=2)
                for name, sum_name, count_name in _DIMENSION_TOTALS
            },
        )

    @property
    def distribution_shares(self) -> list[tuple[str, int, Decimal | None]]:
        """(grade, responses, share of responses) from A to F, for charts and tables."""
        return [(grade, n, ratio(n, self.answered)) for grade, n in self.distribution.items()]


def gpa(totals: dict[str, int]) -> Decimal | None:
    """The grade point average of these totals (A=4 … F=0) to 0.01; None when nobody answered."""
    points = sum(_POINTS[grade] * totals[name] for grade, name in GRADE_TOTALS)
    return ratio(points, totals["answered"], places=2)


def report_card(surveys: QuerySet[Survey]) -> ReportCard:
    return ReportCard.from_totals(survey_totals(surveys))


def ratio(numerator: int, denominator: int, *, places: int = 3) -> Decimal | None:
    """numerator / denominator rounded half up (a share to 0.1%, an average to 0.01); None if 0/0."""
    if not denominator:
        return None
    # Half up in whole numbers (the counts are never negative): exact, and a dashboard of
    # hundreds of rows makes thousands of these, where Decimal division would cost milliseconds.
    scale = 10**places
    return Decimal((2 * numerator * scale + denominator) // (2 * denominator)).scaleb(-places)


# Said on the pages that rank by it, in these words.
GRADE_COST_MEANING = (
    "Grade cost = answers × (the desk's GPA - its GPA): the grade points it took off the desk's "
    "average; the higher, the more improving it would lift the whole card."
)


def grade_cost(*, answered: int, its_gpa: Decimal | None, desk_gpa: Decimal | None) -> Decimal | None:
    """How many grade points a service, process, … cost the desk (GRADE_COST_MEANING); None when
    it or the desk has no grades. Negative: it lifted the desk's average."""
    if its_gpa is None or desk_gpa is None:
        return None
    return answered * (desk_gpa - its_gpa)
