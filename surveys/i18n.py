"""The locale chain, language names, and staff-written multilingual text."""

from typing import NamedTuple

from flask import g, has_request_context, request, session

LANGUAGES = ("fr", "en", "uk")
DEFAULT_LANGUAGE = "fr"
# Each language is shown by its own name, so a person finds theirs without reading the others.
ENDONYMS = {"fr": "Français", "en": "English", "uk": "Українська"}
# How each language writes dates, times and numbers here: as in Belgium for French, British
# English (a Belgian service's), as in Ukraine for Ukrainian (``dates``).
FORMAT_LOCALES = {"fr": "fr_BE", "en": "en_GB", "uk": "uk_UA"}
# People type the country code (UA) rather than the language code (uk).
ALIASES = {"ua": "uk"}
# French last: it is the fallback for staff-written text, which is required in French.
FALLBACK_ORDER = ("fr", "en", "uk")


def language_from_path(path: str) -> str | None:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def negotiated_language() -> str:
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def get_locale() -> str:
    """URL prefix first, then Accept-Language among the supported languages, then French."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.path.startswith("/staff"):
        # Staff choose their language once; it is kept in the session (and their account).
        return session.get("staff_lang") or negotiated_language()
    return g.get("lang") or language_from_path(request.path) or negotiated_language()


class LocalizedText(NamedTuple):
    text: str
    lang: str


def localized(values: dict[str, str] | None, lang: str) -> LocalizedText:
    """Pick ``lang`` from a ``{"fr": …, "en": …, "uk": …}`` mapping, else the first filled
    language in ``FALLBACK_ORDER``; the returned ``lang`` lets templates mark a fallback."""
    values = values or {}
    for candidate in (lang, *FALLBACK_ORDER):
        text = (values.get(candidate) or "").strip()
        if text:
            return LocalizedText(text, candidate)
    return LocalizedText("", lang)
