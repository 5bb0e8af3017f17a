"""The managers' report card, as the dashboard shows it (reports.totals.Figures)."""

from rest_framework import serializers

from surveys.figures import GRADES


def _share(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=4, decimal_places=3, coerce_to_string=False, allow_null=True, help_text=help_text
    )


GradeCounts = type(
    "GradeCounts",
    (serializers.Serializer,),
    {"__doc__": "Responses by grade, A to F.", **{grade: serializers.IntegerField() for grade in GRADES}},
)


class Card(serializers.Serializer):
    """The report card (surveys.figures.ReportCard). Shares are 0 to 1; null when nobody answered."""

    invited = serializers.IntegerField(help_text="Surveys offered: invited, or answered from the portal.")
    answered = serializers.IntegerField()
    grades = GradeCounts(source="distribution")
    gpa = serializers.DecimalField(
        max_digits=3, decimal_places=2, coerce_to_string=False, allow_null=True, help_text="A=4 … F=0."
    )
    loyalty_rate = _share("Graded A or B.")
    victimized_rate = _share("Graded F.")
    indifference_share = _share("Felt IT did not care.")
    response_rate = _share("Answered, of those offered.")
    would_choose_rate = _share("Would choose this IT team, of those who answered the question.")
    dimension_averages = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=3, decimal_places=2, coerce_to_string=False, allow_null=True
        ),
        help_text="Each 1-to-5 question's average, by name.",
    )


class Median(serializers.Serializer):
    """A median known to within a bucket: more than `above` minutes, at most `up_to` (null: open)."""

    above = serializers.IntegerField()
    up_to = serializers.IntegerField(allow_null=True)


class Health(serializers.Serializer):
    """The service's health over the requests created in the period."""

    tickets_created = serializers.IntegerField()
    first_responded = serializers.IntegerField()
    resolved = serializers.IntegerField()
    first_response_rate = _share("First answered within target, of those answered.")
    resolution_rate = _share("Resolved within target, of those resolved.")
    first_response_median = Median(allow_null=True)
    resolution_median = Median(allow_null=True)


class PeriodFigures(serializers.Serializer):
    first = serializers.DateField(source="period.first")
    last = serializers.DateField(source="period.last")
    card = Card(source="figures.card")
    health = Health(source="figures.health")


class ReportCard(serializers.Serializer):
    """The dashboard's figures for a period and filter, and for the period of the same length
    before it (what the dashboard compares with)."""

    scope = serializers.CharField(help_text="The filter (e.g. `service:3`); empty for the whole desk.")
    current = PeriodFigures()
    previous = PeriodFigures()
