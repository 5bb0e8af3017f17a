from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.widgets import ShortModelChoiceField
from tickets.models import Service

from .models import CustomerCategory, CustomerProfile
from .services import category_field_refusal


class CustomerProfileForm(forms.Form):
    """What IT knows of a customer. Built for one profile and one editor: for someone who may not
    set categories, "senior executive" is shown read-only and a VIP department stays put."""

    department = forms.CharField(max_length=100, required=False)
    location = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=40, required=False)
    manager = forms.EmailField(
        required=False,
        label=_("Their manager's e-mail"),
        help_text=_("Who IT's manager talks to if this person keeps going around a process."),
    )
    is_senior_executive = forms.BooleanField(required=False, label=_("Senior executive"))
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000, label=_("IT's notes")
    )

    def __init__(self, *args, profile: CustomerProfile, can_set_category: bool, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "department": profile.department,
                "location": profile.location,
                "phone": profile.phone,
                "manager": profile.manager.email if profile.manager else "",
                "is_senior_executive": profile.is_senior_executive,
                "notes": profile.notes,
            },
        )
        super().__init__(*args, **kwargs)
        self.profile, self.can_set_category = profile, can_set_category
        if not can_set_category:
            field = self.fields["is_senior_executive"]
            field.disabled = True
            field.help_text = _("Sets the category (VIP): only IT managers change it.")
            self.fields["department"].help_text = _(
                "A VIP department sets the category: only IT managers move someone into or out of one."
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.can_set_category and "department" in cleaned:
            refusal = category_field_refusal(
                profile=self.profile,
                department=cleaned["department"],
                is_senior_executive=cleaned.get("is_senior_executive", self.profile.is_senior_executive),
            )
            if refusal:
                self.add_error("department", refusal)
        return cleaned

    def clean_manager(self) -> User | None:
        email = self.cleaned_data["manager"]
        if not email:
            return None
        manager = User.objects.filter(email__iexact=email, is_active=True).first()
        if manager is None:
            raise forms.ValidationError(_("No active account uses this address."))
        return manager


class CategoryForm(forms.Form):
    category = forms.ChoiceField(choices=CustomerCategory, label=_("Category"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Why"))


class SuggestionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Why"))


class ArrangementForm(forms.Form):
    need = forms.CharField(max_length=200, label=_("What they will get without asking"))
    service = ShortModelChoiceField(
        queryset=Service.objects.filter(is_active=True),
        required=False,
        label=_("The catalog entry they used to ask about"),
        empty_label=_("None"),
    )
    owning_department = forms.CharField(max_length=120, label=_("Department that does it"))
    contact_name = forms.CharField(max_length=120, label=_("Contact there"))
    contact_email = forms.EmailField(label=_("Contact's e-mail (reminded when due)"))
    cadence_days = forms.IntegerField(min_value=1, max_value=365, label=_("Every how many days"))
    first_due_on = forms.DateField(label=_("First due on"), widget=forms.DateInput(attrs={"type": "date"}))
