from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from tickets.models import Service

from .models import Article, ArticleVersion, DocumentationFlag, Tag
from .selectors import StaffView
from .services import ArticleFields


class ArticleForm(forms.ModelForm):
    """Writing or changing an article; every save becomes a version with the editor's note."""

    tags = forms.CharField(
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. vpn, remote work."),
    )
    note = forms.CharField(
        required=False,
        max_length=ArticleVersion._meta.get_field("note").max_length,
        label=_("What changed"),
        help_text=_("A few words for the history, e.g. “New VPN client version”."),
    )
    is_major = forms.BooleanField(required=False, label=_("Major revision"))

    class Meta:
        model = Article
        fields = ["title", "summary", "body", "kind", "audience", "status", "services", "owner", "review_by"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "review_by": forms.DateInput(attrs={"type": "date"}),
            "services": forms.CheckboxSelectMultiple,
        }
        help_texts = {"review_by": _("After this date the article shows as possibly out of date.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.filter(is_active=True).only("pk", "name")
        self.fields["owner"].queryset = account_selectors.agents_list()
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean_tags(self) -> list[str]:
        names = []
        for name in self.cleaned_data["tags"].split(","):
            name = name.strip()
            if len(name) > Tag._meta.get_field("name").max_length:
                raise forms.ValidationError(_("A tag is at most 60 characters: %(tag)s") % {"tag": name})
            if name and name not in names:
                names.append(name)
        return names

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("kind") == Article.Kind.STANDARD
            and cleaned.get("audience") == Article.Audience.EVERYONE
        ):
            self.add_error("audience", _("A service standard is for staff only."))
        return cleaned

    def article_fields(self) -> ArticleFields:
        data = self.cleaned_data
        return ArticleFields(
            **{name: data[name] for name in ("title", "summary", "body", "kind", "audience", "status")},
            services=list(data["services"]),
            tags=data["tags"],
            owner=data["owner"],
            review_by=data["review_by"],
        )

    def _post_clean(self) -> None:
        """The service saves the article (as a version), not ModelForm.save; skip the instance copy."""


class ArticleSearchForm(forms.Form):
    """The lists' query string: what to search for, which service, which shortcut (staff)."""

    q = forms.CharField(max_length=200, required=False)
    service = forms.SlugField(max_length=120, required=False)
    view = forms.ChoiceField(
        choices=[
            (view, view)
            for view in (StaffView.RECENT, StaffView.NEEDS_REVIEW, StaffView.UNOWNED, StaffView.FLAGGED)
        ],
        required=False,
    )

    def filters(self) -> dict:
        """The valid parameters; a page asked for with a bad one (a NUL, a long word) shows everything."""
        return self.cleaned_data if self.is_valid() else {}


class VoteForm(forms.Form):
    """Was this article helpful? Two buttons, one field."""

    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes"
    )


class SuggestionForm(forms.Form):
    """What the customer has typed so far on the new-request form (its own field names), for the
    articles suggested beside it and for "This solved it", which keeps the title exactly as typed."""

    title = forms.CharField(max_length=200, required=False, strip=False)
    service = forms.ModelChoiceField(queryset=Service.objects.none(), required=False)

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class DocumentationFlagForm(forms.Form):
    """An agent's "documentation missing / wrong" from a ticket: which, the article if wrong, and why."""

    kind = forms.ChoiceField(
        choices=DocumentationFlag.Kind.choices, widget=forms.RadioSelect, label=_("What")
    )
    # Any published article validates; the page offers the ticket's suggestions.
    article = forms.ModelChoiceField(
        queryset=Article.objects.filter(status=Article.Status.PUBLISHED).only("pk", "title", "owner"),
        required=False,
        label=_("Which article is wrong"),
    )
    reason = forms.CharField(
        max_length=DocumentationFlag._meta.get_field("reason").max_length,
        label=_("Why"),
        help_text=_("One line: what is missing, or what is wrong."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == DocumentationFlag.Kind.WRONG and not cleaned.get("article"):
            self.add_error("article", _("Choose the article that is wrong."))
        return cleaned
