"""Checks on uploaded files: what may be attached, and what it is called once it is."""

import mimetypes
import unicodedata
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def display_name(name: str) -> str:
    """The uploader's file name made safe to show: no folders, no control or bidi characters."""
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")  # controls, bidi overrides
    return name.strip(" .")[:255] or "file"


def content_type_for(name: str) -> str:
    """The type we serve it as, from the extension we allowed (never what the browser claimed)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ATTACHMENT_MAX_FILES files of the allowed types, each at most ATTACHMENT_MAX_BYTES."""

    widget = MultipleFileInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attach files"))
        super().__init__(**kwargs)
        self.help_text = _("Up to %(count)s files, %(size)s each: %(types)s.") % {
            "count": settings.ATTACHMENT_MAX_FILES,
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            "types": ", ".join(sorted(settings.ATTACHMENT_EXTENSIONS)),
        }

    def clean(self, data, initial=None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(AttachmentsField, self).clean(file, initial) for file in files]
        if len(files) > settings.ATTACHMENT_MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)s files.") % {"count": settings.ATTACHMENT_MAX_FILES}
            )
        for file in files:
            name = display_name(file.name)
            extension = PurePosixPath(name).suffix.lower().lstrip(".")
            if extension not in settings.ATTACHMENT_EXTENSIONS:
                raise forms.ValidationError(
                    _("%(name)s: files of this type cannot be attached.") % {"name": name}
                )
            if file.size > settings.ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(size)s.")
                    % {"name": name, "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
                )
        return files
