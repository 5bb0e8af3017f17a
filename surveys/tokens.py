"""The survey link's token: signed, so it cannot be made up, and expiring.

The token only says which survey it opens; whether that survey can still be answered is the
database's business (single use is a conditional update, see services.survey_answer).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .models import Survey

_SALT = "surveys.survey-link"


class TokenForged(Exception):
    """The token was not made by us, or names a survey that is not its own."""


class TokenExpired(Exception):
    pass


def survey_token_make(survey: Survey) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object({"s": survey.pk, "n": survey.nonce})


def survey_from_token(token: str) -> Survey:
    """The survey a token opens; raises TokenForged or TokenExpired."""
    try:
        payload = signing.TimestampSigner(salt=_SALT).unsign_object(
            token, max_age=timedelta(days=settings.SURVEY_ANSWER_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise TokenForged from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise TokenForged
    survey = (
        Survey.objects.select_related("ticket__service", "customer", "agent").filter(pk=payload["s"]).first()
    )
    if survey is None or survey.nonce != payload.get("n"):
        raise TokenForged
    return survey
