"""Uploaded files: what may be attached, what it is called once it is, and how it is served
(the portal's and the desk's download and the API's are one response)."""

import hashlib
import mimetypes
import unicodedata
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.template.defaultfilters import filesizeformat
from django.utils.http import parse_etags
from django.utils.translation import gettext as _

from .models import Attachment


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


class AttachmentsForm(forms.Form):
    """A form with an `attachments` field. Refused for another field, it says next to the files
    which ones it did not keep: a browser cannot put files back in a file input, and a file must
    never be dropped unsaid."""

    def _post_clean(self) -> None:
        super()._post_clean()
        files = self.cleaned_data.get("attachments")
        if self.errors and files:
            names = ", ".join(display_name(file.name) for file in files)
            self.add_error(
                "attachments",
                _("Not kept because of the other errors: %(names)s. Attach them again.") % {"names": names},
            )


def attachment_response(request: HttpRequest, attachment: Attachment) -> HttpResponseBase:
    """The file, for a caller the selector let see it: always a download, never rendered. A file
    never changes once attached, so its ETag is its stored name's; a client that keeps files (a
    script: browsers are told to store nothing, see core.middleware) gets a 304 for one it has,
    without the file being opened."""
    etag = '"' + hashlib.sha256(f"{attachment.pk}:{attachment.file.name}".encode()).hexdigest()[:32] + '"'
    sent = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
    if etag in sent or "*" in sent:
        response = HttpResponseNotModified()
    else:
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        # Even if a browser were talked into rendering it, it could run nothing.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["ETag"] = etag
    return response
