"""Links and QR codes for posters: each public form in each language."""

import io
from dataclasses import dataclass
from typing import Any

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..forms import registry
from ..i18n import LANGUAGES


@dataclass(frozen=True)
class PosterPage:
    path: str  # after the language
    title: Any


def poster_pages() -> dict[str, PosterPage]:
    """The public pages worth a poster, by name: every registered form offered on posters,
    and the list of trainings."""
    pages = {
        entry.code: PosterPage(entry.path, entry.staff_title) for entry in registry.on_posters()
    }
    pages.setdefault("trainings", PosterPage("trainings", _l("Trainings")))
    return pages


def poster_url(page: str, lang: str) -> str:
    pages = poster_pages()
    if page not in pages or lang not in LANGUAGES:
        raise KeyError(page)
    return f"{current_app.config['PUBLIC_URL']}/{lang}/{pages[page].path}"


def qr_code(page: str, lang: str, kind: str) -> bytes:
    """SVG (scales for print) or PNG (for documents and messages); error correction "M" so a
    slightly damaged poster still scans."""
    qr = segno.make(poster_url(page, lang), error="m", micro=False)
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=4, xmldecl=False, title=poster_url(page, lang))
    else:
        qr.save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()
