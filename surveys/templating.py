"""What every template can use: the current language, the switcher, versioned static URLs."""

import hashlib
from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, request, url_for
from flask_babel import format_decimal, get_locale
from markupsafe import Markup, escape

from . import richtext
from .dates import format_date, format_datetime, format_time
from .i18n import ENDONYMS, LANGUAGES, language_from_path, localized


@cache
def static_version(static_folder: str, filename: str) -> str:
    """A content hash, so static files can be cached for a year and still change on deploy."""
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    version = static_version(current_app.static_folder, filename)
    return url_for("static", filename=filename, v=version)


def mail_link(address: str) -> Markup:
    """An e-mail address people can tap to write to it (escaped: it comes from a setting)."""
    return Markup('<a href="mailto:{0}">{0}</a>').format(address)


def emphasised(text: str) -> Markup:
    """A value that a sentence puts forward (the e-mail address used), escaped."""
    return Markup("<strong>{0}</strong>").format(text)


def written_in(text: str, language: str) -> Markup:
    """A text that exists in one language only, marked with it on a page in another (screen
    readers then read it in the right voice)."""
    if not text or str(get_locale()) == language:
        return escape(text)
    return Markup('<span lang="{0}">{1}</span>').format(language, text)


def written_once(text: str) -> Markup:
    """A text staff wrote in one language only: ORGANISATION_LANGUAGE's."""
    return written_in(text, current_app.config["ORGANISATION_LANGUAGE"])


def external_link(url: str) -> Markup:
    """A link to another site, showing its address without the scheme."""
    shown = url.split("://", 1)[-1].rstrip("/")
    return Markup('<a href="{0}">{1}</a>').format(url, shown)


def language_name(code: str) -> str:
    """A language by its name in the reader's language ("Ukrainian", "ukrainien"), for staff
    pages; the public switcher names each language in itself (ENDONYMS)."""
    try:
        name = Locale.parse(code).get_language_name(get_locale())
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code


def colon() -> str:
    """ ": " between a label and its value, as the page's language writes it: French puts a
    no-break space before the colon."""
    return "\u00a0: " if str(get_locale()) == "fr" else ": "


def switch_url(code: str) -> str:
    """The same page in another language (for pages outside a language prefix: its home)."""
    path = request.path
    current = language_from_path(path)
    if current is None:
        return f"/{code}/"
    url = f"/{code}{path[len(current) + 1 :]}"
    query = request.query_string.decode("ascii", "replace")
    return f"{url}?{query}" if query else url


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.after_request
    def announce_language(response):
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Language", str(get_locale()))
        return response

    @app.context_processor
    def language_context():
        lang = str(get_locale())
        return {
            "lang": lang,
            "languages": [(code, ENDONYMS[code]) for code in LANGUAGES],
            "switch_url": switch_url,
            "mail_link": mail_link,
            "external_link": external_link,
            "written_once": written_once,
            "written_in": written_in,
            "static_url": static_url,
            "emphasised": emphasised,
            "language_name": language_name,
            "colon": colon,
            "rich_text": richtext.render,
            "localized": lambda values: localized(values, lang),
            "format_date": format_date,
            "format_decimal": format_decimal,
            "format_datetime": format_datetime,
            "format_time": format_time,
        }
