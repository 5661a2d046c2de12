"""URL converters for public addresses."""

from werkzeug.routing import BaseConverter, ValidationError

from ..forms.registry import BY_PATH, RegisteredForm


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and hyphens: anything else (NUL bytes that PostgreSQL
    refuses, odd Unicode, over-long strings) is a 404 before it reaches the database."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"


class FormPageConverter(SlugConverter):
    """The public address of a registered form (``forms.registry``): the entry itself in the
    view, a 404 for any other word (the router tries the other rules first)."""

    def to_python(self, value: str) -> RegisteredForm:
        entry = BY_PATH.get(value)
        if entry is None:
            raise ValidationError()
        return entry

    def to_url(self, value: RegisteredForm | str) -> str:
        return super().to_url(value.path if isinstance(value, RegisteredForm) else value)
