from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect

from .models import InboundEmail
from .selectors import InboundFilters


class InboundFilterForm(forms.Form):
    """The incoming-mail page's filters, read from the query string; anything invalid is ignored."""

    status = forms.ChoiceField(
        widget=FastSelect, choices=[("", _("Any")), *InboundEmail.Status.choices], required=False
    )
    via = forms.ChoiceField(
        widget=FastSelect,
        label=_("Came in by"),
        choices=[("", _("Either way")), *InboundEmail.Via.choices],
        required=False,
    )
    q = forms.CharField(label=_("Sender or subject"), max_length=200, required=False)

    def filters(self) -> InboundFilters:
        """The valid filters; a field that did not validate counts as not given."""
        self.is_valid()
        return InboundFilters(**{name: value for name, value in self.cleaned_data.items() if value})
