"""The one request flow shared by every public form.

GET serves a fresh form. POST either switches language (the answers are re-rendered in the
other language, nothing is validated or stored), or is checked for bots, validated and saved.
An expired CSRF token or a lost session never discards answers: the form comes back filled
in, with a fresh token and a sentence asking to send again.
"""

from collections.abc import Callable, Hashable
from typing import Any
from urllib.parse import parse_qsl

from flask import g, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from ..forms.definition import FormDefinition
from ..forms.engine import PublicForm, form_class, log_bot
from . import page_cache
from .visitor import PLACEHOLDERS

SWITCH_LANGUAGE = "switch_language"


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

    return page_cache.serve(render, state=state, max_age=max_age)


def handle_form(
    definition: FormDefinition,
    *,
    template: str,
    save: Callable[[PublicForm], Any],
    thanks_url: Callable[[Any], str],
    **context: Any,
):
    fields = posted_fields()
    form = form_class(definition)(formdata=fields)
    notice = None
    if g.get("rate_limited"):
        # Too many forms from this address: nothing is stored, everything typed comes back.
        notice = _(
            "Many forms have been sent from your connection in a short time. Wait a minute, "
            "then press the button again: your answers are still here."
        )
    elif fields is not None and SWITCH_LANGUAGE not in fields:
        reason = form.bot_reason()
        if reason:
            log_bot(definition, reason)
            return redirect(thanks_url(None), code=303)
        valid = form.validate()
        if form.csrf_failed():
            form.csrf_token.errors = []
            notice = _(
                "This page was open for a long time, so for your security we need you to send "
                "it once more. Your answers are still here: check them and press the button again."
            )
        elif valid:
            return redirect(thanks_url(save(form)), code=303)
    form.prepare()
    errors = form.question_errors()
    page = render_template(
        template,
        form=form,
        definition=definition,
        errors=errors,
        notice=notice,
        # A draft kept in the browser is put back only into a freshly served form.
        fresh=request.method == "GET",
        draft_key=draft_key(),
        **context,
    )
    # 422 tells monitoring a submission was refused; browsers show the page all the same.
    if g.get("rate_limited"):
        return page, 429
    return page, 422 if errors else 200
