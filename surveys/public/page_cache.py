"""Rendered public pages kept in memory, per application and process, already compressed,
and answered before Flask whenever that gives the same answer.

Pages that are the same for every visitor (or the same but for a blank form's per-visitor
values, see ``visitor``) are rendered once. Compressing a 20 kB page costs more than
everything else in serving it, so it is compressed once too: the page is split where its
first per-visitor value begins, the part before is kept gzipped, and each request appends
the short rest as a stored (uncompressed) deflate block, which costs a copy and a CRC
(the templates put per-visitor values at the end of the page for this reason).

The fast lane: once Flask has answered a plain GET of a cached page, its status line and
headers (security headers, Content-Language, Vary: whatever Flask's hooks added) are kept
with the page, and ``FastLane``, a WSGI middleware in front of Flask, answers the next plain
GETs of that address itself: no dispatch, no hooks, only the page and, for a blank form, the
visitor's values and session cookie (made in a bare request context, see ``visitor``). Two
answers are kept per page: gzipped, for every client that accepts gzip (Flask-Compress
leaves an already encoded answer alone, so Flask's headers are the same for all of them),
and plain, for a client that sends no Accept-Encoding at all. Anything else goes to Flask: a
query string, another method, any other Accept-Encoding (Flask-Compress may choose br or
zstd), a session that holds more than a form token or a cookie header Flask must read
itself, and a page whose state may have changed: a training's seats and dates are checked
again in Flask after ``max_age`` seconds, and at once after this process commits any change
of its own (so whoever changes a training sees the change; other processes within
``max_age``; in a threaded server a request that read the state before that commit may keep
the old one current for another ``max_age``). Sending a form is always decided by Flask, on
the database.

The store belongs to the app, so two apps in one process (tests, or a second configuration)
never see each other's pages. Off in debug mode, where templates change while you work.
"""

import math
import struct
import time
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Flask, Response, current_app, has_app_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from .visitor import PLACEHOLDERS, NotOurs, values_before_flask, values_in_request

# gzip framing (header and CRC), as "Content-Encoding: gzip" requires, not raw deflate. The
# level is COMPRESS_LEVEL, the one Flask-Compress uses for the other responses.
GZIP = {"wbits": 16 + zlib.MAX_WBITS}
STORED_BLOCK_MAX = 0xFFFF
# Where a page served by Flask leaves its cache entry for the fast lane to complete.
ENVIRON_KEY = "surveys.cached_page"
# Headers that belong to one answer, not to the page.
PER_ANSWER = {"content-length", "set-cookie"}


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """As Werkzeug reads Accept-Encoding (q-values, "*"), once per distinct header value
    (browsers send only a handful)."""
    return parse_accept_header(accept_encoding, Accept)["gzip"] > 0


def answer_kind(accept_encoding: str | None) -> str | None:
    """Which kept answer suits this Accept-Encoding: "gzip", "plain" (no header: nothing is
    compressed), or None (Flask decides)."""
    if not accept_encoding:
        return "plain"
    return "gzip" if accepts_gzip(accept_encoding) else None


def stored_blocks(data: bytes) -> bytes:
    """``data`` as the final, uncompressed deflate blocks (RFC 1951, 3.2.4)."""
    chunks = [data[i : i + STORED_BLOCK_MAX] for i in range(0, len(data), STORED_BLOCK_MAX)]
    chunks = chunks or [b""]
    blocks = []
    for index, chunk in enumerate(chunks):
        final = index == len(chunks) - 1
        blocks.append(struct.pack("<BHH", final, len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


@dataclass(frozen=True)
class Body:
    """``head`` (the same for everyone) and ``tail`` (from the first placeholder on)."""

    head: bytes
    tail: str
    head_gzip: bytes  # gzip header and deflate blocks of ``head``, flushed to a byte boundary
    head_crc: int
    whole_gzip: bytes | None  # the finished stream, for a page without placeholders

    @classmethod
    def split(cls, text: str, level: int) -> "Body":
        placeholders = PLACEHOLDERS.values()
        cut = min((text.find(p) for p in placeholders if p in text), default=len(text))
        head, tail = text[:cut].encode(), text[cut:]
        compressor = zlib.compressobj(level, **GZIP)
        if not tail:
            whole = compressor.compress(head) + compressor.flush()
            return cls(head, tail, b"", 0, whole)
        head_gzip = compressor.compress(head) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return cls(head, tail, head_gzip, zlib.crc32(head), None)

    @property
    def per_visitor(self) -> bool:
        return bool(self.tail)

    def render(self, values: dict[str, str], gzip: bool) -> bytes:
        if gzip and self.whole_gzip is not None:
            return self.whole_gzip
        tail = self.tail
        for placeholder, value in values.items():
            tail = tail.replace(placeholder, value)
        rest = tail.encode()
        if not gzip:
            return self.head + rest
        trailer = struct.pack(
            "<II", zlib.crc32(rest, self.head_crc), (len(self.head) + len(rest)) & 0xFFFFFFFF
        )
        return self.head_gzip + stored_blocks(rest) + trailer


@dataclass
class Entry:
    """A cached page: its body, the state it shows, until when that state is taken as
    current, and Flask's status line and headers for it, gzipped and plain (see
    ``answer_kind``), once Flask has answered."""

    body: Body
    state: Hashable
    fresh_until: float
    answers: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)

    def keep_answer(
        self, accept_encoding: str | None, status: str, headers: list[tuple[str, str]]
    ) -> None:
        kind = answer_kind(accept_encoding)
        encoding = next((v for n, v in headers if n.lower() == "content-encoding"), None)
        if kind is None or encoding != ("gzip" if kind == "gzip" else None):
            return
        kept = [(n, v) for n, v in headers if n.lower() not in PER_ANSWER]
        self.answers[kind] = (status, kept)


def store(app: Flask) -> dict[str, Entry]:
    return app.extensions.setdefault("surveys.pages", {})


def serve(
    render: Callable[[], str], *, state: Hashable = None, max_age: float | None = None
) -> Response:
    """The page at this address, rendered by ``render`` when it is missing or when ``state``
    (whatever else the page shows that can change, e.g. seats left) differs from the one it
    was rendered for. Its per-visitor placeholders are filled in. ``max_age``: how long the
    fast lane may serve the page before Flask checks its state again (None: no limit)."""
    if current_app.debug:
        text = render()
        if any(placeholder in text for placeholder in PLACEHOLDERS.values()):
            for placeholder, value in values_in_request().items():
                text = text.replace(placeholder, value)
        return Response(text, mimetype="text/html")
    pages = store(current_app)
    entry = pages.get(request.path)
    fresh_until = math.inf if max_age is None else time.monotonic() + max_age
    if entry is None or entry.state != state:
        body = Body.split(render(), current_app.config["COMPRESS_LEVEL"])
        pages[request.path] = entry = Entry(body, state, fresh_until)
    else:
        entry.fresh_until = fresh_until
    gzip = accepts_gzip(request.headers.get("Accept-Encoding"))
    values = values_in_request() if entry.body.per_visitor else {}
    response = Response(entry.body.render(values, gzip), mimetype="text/html")
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    request.environ[ENVIRON_KEY] = entry
    return response


def forget(app: Flask, path: str) -> None:
    store(app).pop(path, None)


@event.listens_for(Session, "after_commit")
def recheck_after_own_changes(session) -> None:
    """This process changed something: its pages with a state are checked at their next
    request (a few pages; the check is one query, and the page is rendered again only if
    its state did change)."""
    if has_app_context():
        # A copy: another thread of this process (a threaded server) may add a page meanwhile.
        for entry in list(store(current_app).values()):
            if entry.fresh_until != math.inf:
                entry.fresh_until = 0.0


class FastLane:
    """WSGI middleware: plain GETs of cached pages answered without entering Flask (see the
    module's docstring); everything else passes through, and Flask's answers to plain GETs
    of cached pages are kept for the next time."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "GET" or environ.get("QUERY_STRING"):
            return self.wsgi_app(environ, start_response)
        kind = answer_kind(environ.get("HTTP_ACCEPT_ENCODING"))
        entry = store(self.app).get(environ.get("PATH_INFO", ""))
        if entry is not None and kind in entry.answers and entry.fresh_until > time.monotonic():
            try:
                return self.answer(entry, kind, environ, start_response)
            except NotOurs:
                return self.wsgi_app(environ, start_response)
        return self.wsgi_app(environ, self.keeping_answer(environ, start_response))

    def answer(self, entry: Entry, kind: str, environ, start_response):
        status, headers = entry.answers[kind]
        headers = list(headers)
        values = {}
        if entry.body.per_visitor:
            values, cookies = values_before_flask(self.app, environ)
            headers += [("Set-Cookie", cookie) for cookie in cookies]
        body = entry.body.render(values, gzip=kind == "gzip")
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    @staticmethod
    def keeping_answer(environ, start_response):
        def keep(status, headers, exc_info=None):
            entry = environ.get(ENVIRON_KEY)
            if entry is not None and exc_info is None and status.startswith("200 "):
                entry.keep_answer(environ.get("HTTP_ACCEPT_ENCODING"), status, headers)
            return start_response(status, headers, exc_info)

        return keep
