"""URL converters for public addresses."""

from werkzeug.routing import BaseConverter, ValidationError

from ..database import ERRORS
from ..forms import registry
from ..forms.registry import RegisteredForm


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and hyphens: anything else (NUL bytes that PostgreSQL
    refuses, odd Unicode, over-long strings) is a 404 before it reaches the database."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"


class FormPageConverter(BaseConverter):
    """The public address of a form: ``f/<slug>``, or a short ``<slug>`` for the forms whose
    addresses were printed on posters before forms were data. Any other word is left to the
    other rules (so that a POST to /fr/privacy is still refused as a method, not a missing
    form); if the forms cannot be read just now, the view says so."""

    regex = r"(?:f/)?" + SlugConverter.regex
    part_isolating = False

    def to_python(self, value: str) -> str:
        try:
            known = registry.by_path(value) is not None
        except ERRORS:
            return value  # the view looks again, and answers that the database is away
        if not known:
            raise ValidationError()
        return value

    def to_url(self, value: RegisteredForm | str) -> str:
        return value.path if isinstance(value, RegisteredForm) else value
