"""Rendered public pages kept in memory, per application and process, already compressed.

Pages that are the same for every visitor (or the same but for a few values filled in per
request: a blank form's tokens) are rendered once. Compressing a 20 kB page costs more than
everything else in serving it, so it is compressed once too: the page is split where its
first per-visitor value begins, the part before is kept gzipped together with the
compressor's state, and each request only compresses the short rest from that state (the
templates put per-visitor values at the end of the page for this reason).

The store belongs to the app, so two apps in one process (tests, or a second configuration)
never see each other's pages. Off in debug mode, where templates change while you work.
"""

import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Response, current_app, request

# gzip framing (header and CRC), as "Content-Encoding: gzip" requires, not raw deflate. The
# level is COMPRESS_LEVEL, the one Flask-Compress uses for the other responses.
GZIP = {"wbits": 16 + zlib.MAX_WBITS}


@dataclass(frozen=True)
class Page:
    """``head`` (the same for everyone) and ``tail`` (from the first placeholder on)."""

    head: bytes
    tail: str
    head_gzip: bytes
    compressor: "zlib._Compress"  # its state after ``head``
    whole_gzip: bytes | None  # the finished stream, for a page without placeholders

    @classmethod
    def split(cls, text: str, placeholders: tuple[str, ...], level: int) -> "Page":
        cut = min((text.find(p) for p in placeholders if p in text), default=len(text))
        head, tail = text[:cut].encode(), text[cut:]
        compressor = zlib.compressobj(level, **GZIP)
        head_gzip = compressor.compress(head)
        whole = head_gzip + compressor.copy().flush() if not tail else None
        return cls(head, tail, head_gzip, compressor, whole)

    def body(self, values: dict[str, str], gzip: bool) -> bytes:
        tail = self.tail
        for placeholder, value in values.items():
            tail = tail.replace(placeholder, value)
        if not gzip:
            return self.head + tail.encode()
        if self.whole_gzip is not None:
            return self.whole_gzip
        compressor = self.compressor.copy()
        return self.head_gzip + compressor.compress(tail.encode()) + compressor.flush()


def serve(
    key: Hashable,
    render: Callable[[], str],
    *,
    state: Hashable = None,
    values: dict[str, Callable[[], str]] | None = None,
) -> Response:
    """The page for ``key``, rendered by ``render`` when it is missing or when ``state``
    (whatever else the page shows that can change, e.g. seats left) differs from the one it
    was rendered for. ``values`` maps placeholders to the functions giving their per-request
    value."""
    values = values or {}
    if current_app.debug:
        text = render()
        for placeholder, value in values.items():
            text = text.replace(placeholder, value())
        return Response(text, mimetype="text/html")
    pages = current_app.extensions.setdefault("surveys.pages", {})
    entry = pages.get(key)
    if entry is None or entry[0] != state:
        page = Page.split(render(), tuple(values), current_app.config["COMPRESS_LEVEL"])
        pages[key] = entry = (state, page)
    gzip = request.accept_encodings["gzip"] > 0
    response = Response(
        entry[1].body({p: value() for p, value in values.items()}, gzip), mimetype="text/html"
    )
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
