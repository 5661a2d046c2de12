"""The one request flow shared by every public form.

GET serves a fresh form. POST either switches language (the answers are re-rendered in the
other language, nothing is validated or stored), or is checked, validated and saved. Nothing
but the honeypot discards answers: an expired token or a lost session, the rate limit, a form
sent faster than a person fills it, a database that fails — each brings the form back filled
in, with a fresh token and a sentence asking to send again (``SendAgain``).
"""

import logging
from collections.abc import Callable, Hashable
from typing import Any
from urllib.parse import parse_qsl

from flask import current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from .. import database
from ..extensions import limiter
from ..forms.definition import FormDefinition
from ..forms.engine import SUBMISSION_KEY, PublicForm, form_class, log_bot, new_stamp
from . import page_cache
from .visitor import PLACEHOLDERS

log = logging.getLogger(__name__)

SWITCH_LANGUAGE = "switch_language"

# Every form page, blank or filled in, is kept out of the browser's caches: a phone may be
# shared, and the next person pressing Back must not get the previous one's answers from the
# HTTP cache (a page answering a POST holds them in its HTML). Chromium still keeps such a
# page in its back/forward cache, unless a cookie changes: see ``sent``.
NO_STORE = {"Cache-Control": "no-store"}


def posted_fields() -> MultiDict | None:
    """The posted fields, with bytes that are not valid UTF-8 turned into U+FFFD so that the
    form names the field to retype (Werkzeug would keep "%FF" as literal text)."""
    if request.method != "POST":
        return None
    if request.mimetype != "application/x-www-form-urlencoded":
        return request.form
    body = request.get_data(cache=True).decode("latin-1")
    try:
        fields = parse_qsl(
            body, keep_blank_values=True, errors="replace", max_num_fields=request.max_form_parts
        )
    except ValueError:
        raise RequestEntityTooLarge() from None
    return MultiDict(fields)


def draft_key() -> str:
    """The page's path without its language: one draft per form, whatever the language."""
    return request.path.split("/", 2)[2] if request.path.count("/") >= 2 else request.path


def wants_blank_form() -> bool:
    """A plain GET: the page is served blank, from the cache (anything else is rendered)."""
    return request.method == "GET" and not request.query_string


def blank_page(
    definition: FormDefinition,
    template: str,
    context: Callable[[], dict[str, Any]] = dict,
    *,
    state: Hashable = None,
    max_age: float | None = None,
):
    """The freshly served form, from the page cache: rendered once with placeholders for
    the per-visitor values (see ``visitor``). ``state`` is whatever else the page shows that
    can change (a training's dates and seats) and ``max_age`` how long it may be shown
    before it is checked again; ``context`` gives the template's other values, and is called
    only when the page has to be rendered."""

    def render() -> str:
        form = form_class(definition)(formdata=None)
        form.started.data = PLACEHOLDERS["started"]
        form.submission_key.data = PLACEHOLDERS["submission_key"]
        return render_template(
            template,
            form=form,
            definition=definition,
            errors=[],
            notice=None,
            fresh=True,
            draft_key=draft_key(),
            csrf_placeholder=PLACEHOLDERS["csrf_token"],
            **context(),
        )

    response = page_cache.serve(render, state=state, max_age=max_age)
    # Set in Flask, so the fast lane replays it with Flask's other headers.
    response.headers.update(NO_STORE)
    return response


class SendAgain(Exception):
    """The submission is not stored this time, and comes back to the person with everything
    they typed and one sentence saying why and what to do. One path for every such case: an
    expired token, the rate limit, a form sent too fast to be a person's, a database that
    cannot store it just now."""

    def __init__(self, notice: str, status: int = 200, retry_after: int | None = None):
        super().__init__(notice)
        self.notice = notice
        self.status = status
        self.retry_after = retry_after


INVALID = object()


def public_post_limit() -> str:
    return current_app.config["PUBLIC_POST_LIMIT"]


def sent(url: str):
    """The form was sent (or discarded as a bot's): on to the thank-you page, with a new form
    token for this visitor. The changed session cookie is what makes Chromium drop the filled
    page from its back/forward cache (it restores a ``no-store`` page only while no cookie has
    changed), so Back fetches the form again, blank, even without JavaScript; the <form>'s
    autocomplete="off" keeps the browser from putting the answers back. The old page's token
    is void: sent again, ``sent_before`` answers it (another open form gets "send it once
    more", with its answers kept)."""
    session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    return redirect(url, code=303)


def sent_before(form: PublicForm, already_sent: Callable[[str], Any] | None) -> Any:
    """What the form instance's submission key already stored (truthy), if anything: a page
    sent again after it was stored goes to the thank-you page instead of showing its answers
    again. Asked only when the form would come back filled in, never to store."""
    key = form.submission_key.data or ""
    if already_sent is None or not SUBMISSION_KEY.match(key):
        return None
    try:
        return database.run(already_sent, key)
    except database.DatabaseUnavailable:
        return None


def store(
    definition: FormDefinition,
    form: PublicForm,
    save: Callable[[PublicForm], Any],
    already_sent: Callable[[str], Any] | None = None,
):
    """Check and store one sent form; returns what ``save`` returned (or what an earlier
    sending of the same form instance stored), or ``INVALID`` when the form's own errors are
    to be shown. Raises ``SendAgain``."""
    try:
        # Counted per client address, every form together (Flask-Limiter's documented use
        # as a context manager inside a view).
        with limiter.limit(public_post_limit):
            pass
    except RateLimitExceeded as error:
        raise SendAgain(
            _(
                "Many forms have been sent from your connection in a short time. Wait a "
                "minute, then press the button again: your answers are still here."
            ),
            status=429,
            retry_after=error.limit.limit.get_expiry(),
        ) from None
    valid = form.validate()
    if form.csrf_failed() or not valid:
        earlier = sent_before(form, already_sent)
        if earlier:
            return earlier
    if form.csrf_failed():
        form.csrf_token.errors = []
        raise SendAgain(
            _(
                "This page was open for a long time, so for your security we need you to send "
                "it once more. Your answers are still here: check them and press the button again."
            )
        )
    if not valid:
        return INVALID
    reason = form.timing_problem()
    if reason:
        # A draft restored by the browser and sent at once, or a lost stamp: a person may
        # well be behind it, so the answers come back to be sent again (a bot rarely does).
        log.info("form sent back to be sent again form=%s reason=%s", definition.code, reason)
        form.started.data = new_stamp()
        raise SendAgain(
            _("Please check your answers, then press the button again to send them."),
            status=422,
        )
    try:
        return database.run(save, form)
    except database.DatabaseUnavailable:
        raise SendAgain(
            _(
                "We could not save your answers just now. They are still here: please send "
                "them again in a minute."
            ),
            status=503,
            retry_after=database.RETRY_AFTER_SECONDS,
        ) from None


def handle_form(
    definition: FormDefinition,
    *,
    template: str,
    save: Callable[[PublicForm], Any],
    thanks_url: Callable[[Any], str],
    already_sent: Callable[[str], Any] | None = None,
    context: Callable[[], dict[str, Any]] = dict,
    template_alone: str | None = None,
):
    """``already_sent(submission_key)``: what that key stored (truthy), for ``thanks_url``.
    ``context()`` gives the template's other values; it is called only when the form is
    shown, so that a form stored at once reads nothing more. If the database cannot give
    them (a training's description), the form is shown in ``template_alone``, with everything
    typed all the same."""
    fields = posted_fields()
    form = form_class(definition)(formdata=fields)
    refusal = None
    if fields is not None and SWITCH_LANGUAGE in fields:
        earlier = sent_before(form, already_sent)
        if earlier:
            return sent(thanks_url(earlier))
    elif fields is not None:
        if form.website_url.data:  # the honeypot: only a bot fills it
            log_bot(definition, "honeypot")
            return sent(thanks_url(None))
        try:
            stored = store(definition, form, save, already_sent)
        except SendAgain as error:
            refusal = error
        else:
            if stored is not INVALID:
                return sent(thanks_url(stored))
    try:
        around = context()
    except database.DatabaseUnavailable:
        if template_alone is None:
            raise
        template, around = template_alone, {}
    form.prepare()
    errors = form.question_errors()
    page = render_template(
        template,
        form=form,
        definition=definition,
        errors=errors,
        notice=refusal.notice if refusal else None,
        # A draft kept in the browser is put back only into a freshly served form.
        fresh=request.method == "GET",
        draft_key=draft_key(),
        **around,
    )
    # 422 tells monitoring a submission was refused; browsers show the page all the same.
    status = refusal.status if refusal else (422 if errors else 200)
    headers = {"Retry-After": str(refusal.retry_after)} if refusal and refusal.retry_after else {}
    return page, status, {**headers, **NO_STORE}
