"""URL converters for public addresses."""

from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and hyphens: anything else (NUL bytes that PostgreSQL
    refuses, odd Unicode, over-long strings) is a 404 before it reaches the database."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"
