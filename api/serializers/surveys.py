"""Surveys: what a survey asks its customer, and the answers managers read."""

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys.forms import SurveyAnswerForm
from surveys.models import DIMENSIONS, Driver, Grade, Survey, WouldChoose

from .catalog import ServiceRef
from .common import Person


class Choice(serializers.Serializer):
    value = serializers.CharField(help_text="What to send.")
    label = serializers.CharField()


class Question(serializers.Serializer):
    """One field of the survey page's form, as the page asks it."""

    name = serializers.CharField(help_text="The field to send it as.")
    question = serializers.CharField()
    kind = serializers.ChoiceField(choices=["choice", "text", "yes_no"])
    required = serializers.BooleanField()
    choices = Choice(many=True, allow_null=True, help_text="The answers offered (null: free text or yes/no).")
    max_length = serializers.IntegerField(allow_null=True)


def survey_questions() -> list[dict]:
    """The survey page's questions, read from its form: the API asks exactly what the page asks."""
    questions = []
    for name, field in SurveyAnswerForm().fields.items():
        choices = getattr(field, "choices", None)
        kind = (
            "choice" if choices is not None else "yes_no" if isinstance(field, forms.BooleanField) else "text"
        )
        questions.append(
            {
                "name": name,
                "question": str(field.label),
                "kind": kind,
                "required": field.required,
                "choices": None
                if choices is None
                else [{"value": str(value), "label": str(label)} for value, label in choices if value != ""],
                "max_length": getattr(field, "max_length", None),
            }
        )
    return questions


class SurveyTicket(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()


class SurveyForCustomer(serializers.ModelSerializer):
    """A survey as its page shows it to the customer: the request it grades and what it asks;
    once answered, the grade given and when (as the thank-you page says)."""

    ticket = SurveyTicket(read_only=True)
    answered = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField(help_text="The grade given; null until answered.")
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["ticket", "resolved_at", "expires_at", "answered", "answered_at", "grade", "questions"]
        read_only_fields = fields

    def get_answered(self, survey: Survey) -> bool:
        return survey.answered_at is not None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_grade(self, survey: Survey) -> str | None:
        return survey.grade or None

    @extend_schema_field(Question(many=True))
    def get_questions(self, survey: Survey) -> list[dict]:
        return survey_questions()


_SCALE = {"min_value": 1, "max_value": 5, "required": False, "allow_null": True}
# For the schema only: the survey page's form (surveys.forms.SurveyAnswerForm) validates the answer.
SurveyAnswerInput = type(
    "SurveyAnswerInput",
    (serializers.Serializer,),
    {
        "__doc__": "The answer: a grade (required); the rest optional, as on the survey page.",
        "grade": serializers.ChoiceField(choices=Grade.values),
        **{
            name: serializers.IntegerField(**_SCALE, help_text=str(question))
            for name, question in DIMENSIONS.items()
        },
        "driver": serializers.ChoiceField(choices=["", *Driver.values], required=False),
        "would_choose_us": serializers.ChoiceField(choices=["", *WouldChoose.values], required=False),
        "felt_indifference": serializers.BooleanField(required=False),
        "comment": serializers.CharField(required=False, max_length=5000, allow_blank=True),
    },
)


class SurveyResponse(serializers.ModelSerializer):
    """An answered survey as the managers' responses page shows it."""

    ticket = SurveyTicket(read_only=True)
    customer = Person(read_only=True)
    agent = Person(read_only=True, allow_null=True, help_text="Who had the request when it was resolved.")
    service = ServiceRef(read_only=True, allow_null=True, help_text="The request's service when resolved.")
    indifference = serializers.BooleanField(
        read_only=True, help_text="The customer felt IT did not care, or a manager read it in the comment."
    )

    class Meta:
        model = Survey
        fields = [
            "id",
            "ticket",
            "grade",
            "comment",
            "driver",
            "would_choose_us",
            "indifference",
            "customer",
            "agent",
            "service",
            "resolved_at",
            "answered_at",
        ]
        read_only_fields = fields
