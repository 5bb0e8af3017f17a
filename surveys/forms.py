from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DIMENSIONS, Driver, Grade, RecoveryCase, Survey, WouldChoose

DIMENSION_SCALE = [(n, str(n)) for n in range(1, 6)]


class SurveyAnswerForm(forms.ModelForm):
    """The survey: a grade (required) and the rest optional, so it takes thirty seconds."""

    class Meta:
        model = Survey
        fields = [
            "grade",
            *DIMENSIONS,
            "driver",
            "would_choose_us",
            "felt_indifference",
            "comment",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"] = forms.ChoiceField(
            choices=Grade.choices,
            widget=forms.RadioSelect,
            label=_("How would you grade IT's service on this request?"),
            error_messages={"required": _("Choose a grade from A to F.")},
        )
        for name, question in DIMENSIONS.items():
            self.fields[name] = forms.TypedChoiceField(
                choices=DIMENSION_SCALE,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                label=question,
            )
        self.fields["driver"] = forms.ChoiceField(
            choices=Driver.choices,
            required=False,
            widget=forms.RadioSelect,
            label=_("What mattered most to your grade?"),
        )
        self.fields["would_choose_us"] = forms.ChoiceField(
            choices=WouldChoose.choices,
            required=False,
            widget=forms.RadioSelect,
            label=_("If you could take this to another IT team, would you still choose this one?"),
        )
        self.fields["felt_indifference"].label = _("Someone seemed not to care about my problem")
        self.fields["felt_indifference"].help_text = ""
        self.fields["comment"] = forms.CharField(
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
            label=_("Anything you would like to tell us?"),
        )

    @property
    def dimension_fields(self) -> list:
        return [self[name] for name in DIMENSIONS]

    def answers(self) -> dict:
        """The cleaned answers, as the fields of the survey they fill."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RecoveryContactForm(forms.Form):
    channel = forms.ChoiceField(choices=RecoveryCase.Channel.choices, label=_("How you reached them"))
    contacted_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty if it was just now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label=_("What was said"),
    )

    def clean_contacted_at(self):
        contacted_at = self.cleaned_data["contacted_at"]
        if contacted_at and contacted_at > timezone.now():
            raise forms.ValidationError(_("The contact cannot be in the future."))
        return contacted_at


class RecoveryCloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=RecoveryCase.Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        label=_("What was done (training, a process change, an apology…)"),
    )


class RecoveryReopenForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Why"))


class RecoveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("unclosed", _("Not closed")), *RecoveryCase.Status.choices, ("all", _("All"))],
        required=False,
        label=_("Status"),
    )
    mine = forms.BooleanField(required=False, label=_("Only mine"))
