class SurveyError(Exception):
    """A survey or recovery case cannot do what was asked; the message says why, for the user."""


class SurveyAlreadyAnswered(SurveyError):
    pass


class SurveyClosed(SurveyError):
    """Expired, or replaced by the survey of a later resolution."""
