"""Links and QR codes for posters: each public form in each language."""

import io

import segno
from flask import current_app

from ..i18n import LANGUAGES

# The public pages worth a poster, by the path after the language.
POSTER_PAGES = {"survey": "survey", "trainings": "trainings", "ili": "ili"}


def poster_url(page: str, lang: str) -> str:
    if page not in POSTER_PAGES or lang not in LANGUAGES:
        raise KeyError(page)
    return f"{current_app.config['PUBLIC_URL']}/{lang}/{POSTER_PAGES[page]}"


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
