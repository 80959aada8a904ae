"""Languages: Vietnamese by default, English on request (Flask-Babel).

The source strings are Vietnamese, as the users read them; `translations/en` holds their English.
A user's choice is kept in their session; nobody gets English because of their browser's settings.
"""

from flask import has_request_context, session
from flask_babel import Babel, get_locale

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"

babel = Babel()


def select_locale() -> str:
    if has_request_context() and session.get("lang") in LANGUAGES:
        return session["lang"]
    return DEFAULT


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT


def is_vietnamese() -> bool:
    return current_language() == "vi"


def N_(text: str) -> str:  # noqa: N802  (the gettext convention's name)
    """Marks a string for the translators where it is defined; it is translated where it is shown."""
    return text
