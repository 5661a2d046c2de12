"""Public pages, under a language prefix: /fr/…, /en/…, /uk/…"""

import functools

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from .. import database
from ..extensions import csrf, limiter
from ..forms import registry
from ..forms.registry import RegisteredForm
from ..i18n import ALIASES, LANGUAGES, negotiated_language
from ..models import BRUSSELS, utcnow
from ..services import notifications, responses, trainings
from . import page_cache
from .formflow import (
    blank_page,
    handle_form,
    posted_fields,
    public_post_limit,
    wants_blank_form,
)


class CancelForm(FlaskForm):
    """Only the anti-CSRF token: the secret in the URL says whose registration it is."""


bp = Blueprint("public", __name__, url_prefix=f"/<any({', '.join(LANGUAGES)}):lang>")
entry = Blueprint("entry", __name__)

SLUG = "<slug:slug>"
# The session key that carries a sign-up's e-mail address to its confirmation page.
SIGNED_UP_WITH = "signed_up_with"


# The forms count their sends themselves (formflow.store); the cancel button is limited here.
limit_posts = limiter.limit(public_post_limit, methods=["POST"])


def same_for_everyone(view):
    """For pages without any per-visitor content (no form, no token, no data): rendered once
    per address, then served from the page cache."""

    @functools.wraps(view)
    def cached(*args, **kwargs):
        if request.query_string:
            return view(*args, **kwargs)
        return page_cache.serve(lambda: view(*args, **kwargs))

    return cached


@bp.url_value_preprocessor
def take_language(endpoint, values):
    g.lang = values.pop("lang")


@bp.url_defaults
def add_language(endpoint, values):
    values.setdefault("lang", str(get_locale()))


@entry.get("/")
def root():
    response = redirect(url_for("public.home", lang=negotiated_language()))
    response.headers["Vary"] = "Accept-Language"
    return response


@entry.get("/<any(ua):alias>/", defaults={"rest": ""})
@entry.get("/<any(ua):alias>/<path:rest>")
def alias(alias, rest):
    target = f"/{ALIASES[alias]}/{rest}"
    if request.query_string:
        target += "?" + request.query_string.decode("ascii", "replace")
    return redirect(target, code=301)


@entry.get("/<any(ua):alias>")
def alias_bare(alias):
    return redirect(f"/{ALIASES[alias]}/", code=301)


@bp.get("/")
def home():
    # Served from the page cache: a form published, listed or unlisted since shows within
    # FORMS_RECHECK_SECONDS (its state is the listed forms and their versions).
    listed = list(registry.listed())
    return page_cache_for_forms(
        lambda: render_template("public/home.html", forms=listed),
        tuple((entry.code, entry.version, entry.updated_at) for entry in listed),
    )


@bp.get("/privacy")
def privacy():
    # Every published form says what its answers are for and how long they are kept.
    privacy_forms = list(registry.with_own_retention())
    return page_cache_for_forms(
        lambda: render_template("public/privacy.html", privacy_forms=privacy_forms),
        tuple((entry.code, entry.version, entry.updated_at) for entry in privacy_forms),
    )


@bp.get("/accessibility")
@same_for_everyone
def accessibility():
    return render_template("public/accessibility.html")


def page_cache_for_forms(render, state):
    if request.query_string:
        return render()
    return page_cache.serve(
        render, state=state, max_age=current_app.config["FORMS_RECHECK_SECONDS"]
    )


def published_form(path: str) -> RegisteredForm:
    """The form served at this address, or a 404."""
    page = registry.by_path(path)
    if page is None:
        abort(404)
    return page


@bp.route("/<form_page:path>", methods=["GET", "POST"])
@csrf.exempt
def answer_form(path: str):
    """A published form (the survey, the ILI form, …): anonymous submissions, one thank-you
    page each."""
    page = published_form(path)
    if not page.accepting():
        return closed_form(page)
    definition = page.definition

    def save(form):
        responses.record_submission(
            definition,
            form.answers(),
            locale=g.lang,
            submission_key=form.submission_key.data,
            consents=form.consents(),
        )

    if wants_blank_form():
        return blank_page(
            definition,
            "public/form.html",
            lambda: {"page": page},
            state=(page.version_id, page.updated_at),
            max_age=current_app.config["FORMS_RECHECK_SECONDS"],
        )
    return handle_form(
        definition,
        template="public/form.html",
        save=save,
        thanks_url=lambda _: url_for("public.thanks", path=page),
        already_sent=responses.already_stored,
        context=lambda: {"page": page},
    )


def closed_form(page: RegisteredForm):
    """A form that is closed, or not open yet, says so; answers sent to it (the form was
    open when the page was loaded) are not stored, and the page says where to write."""
    today = utcnow().astimezone(BRUSSELS).date()
    opens_on = page.opens_on if page.is_open and page.opens_on and page.opens_on > today else None
    sent = request.method == "POST"
    html = render_template("public/form_closed.html", page=page, opens_on=opens_on, sent=sent)
    return html, 409 if sent else 200


@bp.get("/<form_page:path>/thanks")
def thanks(path: str):
    page = published_form(path)
    return page_cache_for_forms(
        lambda: render_template("public/thanks.html", page=page),
        (page.version_id, page.updated_at),
    )


@bp.get("/trainings")
def training_list():
    """Rendered again only when what it shows changed (``trainings.list_state``), checked at
    most every TRAINING_PAGE_MAX_AGE seconds: the page costs tens of milliseconds to render
    with a few dozen trainings, its check one query."""

    def render():
        upcoming, seats = database.run(trainings.upcoming_with_seats)
        return render_template(
            "public/trainings.html", trainings=upcoming, seats=seats, now=utcnow()
        )

    if request.query_string:
        return render()
    return page_cache.serve(
        render,
        state=database.run(trainings.list_state, utcnow()),
        max_age=current_app.config["TRAINING_PAGE_MAX_AGE"],
    )


@bp.route(f"/trainings/{SLUG}", methods=["GET", "POST"])
@csrf.exempt
def training(slug):
    try:
        state = database.run(trainings.page_state, slug, utcnow())
    except database.DatabaseUnavailable:
        if request.method != "POST":
            raise
        return signup_without_database()
    if state is None:
        page_cache.forget(current_app, request.path)
        abort(404)
    definition = registry.signup_definition(state.every_date_required, state.training_id)
    # A blank page shows the training's state and the published versions of the sign-up
    # form and of the training's own questions.
    page_state = (state, definition.version_id, definition.extra_version_id)

    def page_context():
        # The training itself (texts, dates) is read only when the page is drawn: not for a
        # blank page served from the cache, nor for a sign-up stored at once.
        found = load_training(slug)
        if found is None:
            abort(404)
        return {"training": found, "accepting": state.accepting, "seats": state.seats}

    if wants_blank_form():
        return blank_page(
            definition,
            "public/training.html",
            page_context,
            state=page_state,
            max_age=current_app.config["TRAINING_PAGE_MAX_AGE"],
        )
    if request.method == "POST" and not state.accepting:
        return render_template("public/training.html", **page_context()), 409

    def save(form):
        try:
            outcome = trainings.sign_up(
                state.training_id,
                definition,
                form.answers(),
                locale=g.lang,
                submission_key=form.submission_key.data,
                consents=form.consents(),
            )
        except trainings.RegistrationClosed:
            abort(409)
        # The confirmation page names the address used, once: in this visitor's own session
        # cookie, never in the address bar (URLs end up in logs and browser histories).
        session[SIGNED_UP_WITH] = form.answers().get(definition.email_question)
        return outcome

    def thanks_url(outcome):
        if outcome is None:  # a bot: the ordinary thank-you page, nothing stored
            return url_for("public.training_thanks", slug=slug, result="confirmed")
        return url_for(
            "public.training_thanks",
            slug=slug,
            result=outcome.status,
            place=outcome.waitlist_place,
            again=1 if outcome.already_registered else None,
        )

    return handle_form(
        definition,
        template="public/training.html",
        save=save,
        thanks_url=thanks_url,
        already_sent=lambda key: trainings.sign_up_sent_with(state.training_id, key),
        context=page_context,
        template_alone="public/signup_again.html",
    )


def load_training(slug: str):
    """The published training with its dates, or None; a connection the server closed
    meanwhile is replaced (``database.run``)."""
    return database.run(trainings.published_training, slug)


def signup_without_database():
    """The database cannot even say what the training is: the sign-up comes back as it was
    typed, under a plain heading, to be sent again (the same flow as every form)."""

    def save(form):
        raise database.DatabaseUnavailable("training page")

    return handle_form(
        registry.signup_definition_for_posted("attend_all" in posted_fields(), posted_fields()),
        template="public/signup_again.html",
        save=save,
        thanks_url=lambda outcome: request.path,
    )


@bp.get(f"/trainings/{SLUG}/thanks")
def training_thanks(slug):
    found = load_training(slug)
    if found is None:
        abort(404)
    result = request.args.get("result")
    again = request.args.get("again") == "1" or result == "already"  # "already": older pages
    if result not in ("confirmed", "waitlisted"):
        result = None if again else "confirmed"
    place = request.args.get("place", type=int)
    return render_template(
        "public/training_thanks.html",
        training=found,
        result=result,
        again=again,
        place=place if place and place > 0 else None,
        email=session.pop(SIGNED_UP_WITH) if SIGNED_UP_WITH in session else None,
    )


TOKEN = "<string(length=43):token>"  # noqa: S105 (a URL rule, not a secret)


@bp.route(f"/trainings/cancel/{TOKEN}", methods=["GET", "POST"])
@csrf.exempt
@limit_posts
def cancel_registration(token):
    registration = database.run(trainings.registration_by_token, token)
    if registration is None:
        return render_template("public/cancel_invalid.html"), 404
    form = CancelForm()
    notice = None
    if request.method == "POST":
        if form.validate():
            database.run(trainings.cancel, registration.id)
            return redirect(url_for("public.cancel_registration", token=token), code=303)
        notice = _("This page was open for a long time: press the button once more.")
    return render_template(
        "public/cancel.html",
        registration=registration,
        training=registration.training,
        place=notifications.waitlist_place(registration),
        form=form,
        notice=notice,
    )
