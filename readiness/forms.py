from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import User
from knowledge.models import Article

from . import selectors
from .models import TrainingRecord
from .services import TrainingFields


class TrainingRecordForm(forms.ModelForm):
    """An agent records their own training; a manager records anyone's (`agent` offered only then)."""

    check_passed = forms.NullBooleanField(
        label=_("Did they pass the check?"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("No check, or not said")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "agent",
            "service",
            "article",
            "trained_by",
            "completed_on",
            "check_question",
            "check_answer",
            "check_passed",
            "note",
        ]
        labels = {
            "article": _("Trained from the article"),
            "completed_on": _("Completed on"),
            "check_question": _("Check: the question asked"),
            "check_answer": _("Check: their answer"),
        }
        widgets = {"completed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user: User, may_record_for_others: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        agents = account_selectors.agents_list()
        if may_record_for_others:
            self.fields["agent"].queryset = agents
            self.fields["agent"].initial = user.pk
        else:
            del self.fields["agent"]
        self.fields["trained_by"].queryset = agents
        self.fields["trained_by"].empty_label = _("Nobody (self-study)")
        for name in ("agent", "trained_by"):
            if name in self.fields:
                self.fields[name].label_from_instance = lambda person: person.display_name
        self.fields["service"].queryset = selectors.training_services()
        self.fields["service"].empty_label = _("Choose a service…")
        self.fields["article"].queryset = (
            Article.objects.filter(status=Article.Status.PUBLISHED).only("pk", "title").order_by("title")
        )
        self.fields["article"].empty_label = _("None")
        self.fields["completed_on"].initial = timezone.localdate()

    def clean_completed_on(self):
        completed_on = self.cleaned_data["completed_on"]
        if completed_on and completed_on > timezone.localdate():
            raise forms.ValidationError(_("Training cannot be completed in the future."))
        return completed_on

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("check_answer") and not cleaned.get("check_question"):
            self.add_error("check_question", _("Say what was asked, with the answer."))
        return cleaned

    def training_fields(self) -> TrainingFields:
        data = self.cleaned_data
        return TrainingFields(
            agent=data.get("agent") or self.user,
            service=data["service"],
            article=data["article"],
            trained_by=data["trained_by"],
            completed_on=data["completed_on"],
            check_question=data["check_question"],
            check_answer=data["check_answer"],
            check_passed=data["check_passed"],
            note=data["note"],
        )

    def _post_clean(self) -> None:
        """The service creates the record, not ModelForm.save; skip the instance copy."""


class TrainingFilterForm(forms.Form):
    """The training list's query string: one agent's records, one service's, or everyone's."""

    agent = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label=_("Everyone"))
    service = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("Every service"))
    mine = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = account_selectors.agents_list()
        self.fields["agent"].label_from_instance = lambda person: person.display_name
        self.fields["service"].queryset = selectors.training_services()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self) -> dict:
        """The valid parameters; a bad one (an unknown id, a NUL) shows everything."""
        return self.cleaned_data if self.is_valid() else {}
