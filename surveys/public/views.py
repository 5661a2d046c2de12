"""Public pages, under a language prefix: /fr/…, /en/…, /uk/…"""

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale

from ..extensions import csrf
from ..forms import ILI, SURVEY, signup_definition
from ..i18n import ALIASES, negotiated_language
from ..models import utcnow
from ..services import responses, trainings
from .formflow import handle_form

bp = Blueprint("public", __name__, url_prefix="/<any(fr, en, uk):lang>")
entry = Blueprint("entry", __name__)

SLUG = "<slug:slug>"


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
    return render_template("public/home.html")


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")


def answer_form(definition, template: str):
    """The survey and the ILI form: anonymous submissions, one thank-you page each."""

    def save(form):
        responses.record_submission(
            definition,
            form.answers(),
            locale=g.lang,
            submission_key=form.submission_key.data,
        )

    return handle_form(
        definition,
        template=template,
        save=save,
        thanks_url=lambda _: url_for("public.thanks", form=definition.code),
    )


@bp.route("/survey", methods=["GET", "POST"])
@csrf.exempt
def survey():
    return answer_form(SURVEY, "public/survey.html")


@bp.route("/ili", methods=["GET", "POST"])
@csrf.exempt
def ili():
    return answer_form(ILI, "public/ili.html")


@bp.get("/<any(survey, ili):form>/thanks")
def thanks(form):
    return render_template("public/thanks.html", form=form)


@bp.get("/trainings")
def training_list():
    return render_template(
        "public/trainings.html", trainings=trainings.upcoming_trainings(), now=utcnow()
    )


@bp.route(f"/trainings/{SLUG}", methods=["GET", "POST"])
@csrf.exempt
def training(slug):
    found = trainings.published_training(slug)
    if found is None:
        abort(404)
    definition = signup_definition(found.every_date_required)
    accepting = found.accepts_registrations(utcnow())
    if request.method == "POST" and not accepting:
        return render_template("public/training.html", training=found, accepting=False), 409

    def save(form):
        try:
            return trainings.sign_up(
                found,
                definition,
                form.answers(),
                locale=g.lang,
                submission_key=form.submission_key.data,
            )
        except trainings.RegistrationClosed:
            abort(409)

    def thanks_url(outcome):
        already = "1" if outcome and outcome.already_registered else None
        return url_for("public.training_thanks", slug=slug, already=already)

    return handle_form(
        definition,
        template="public/training.html",
        save=save,
        thanks_url=thanks_url,
        training=found,
        accepting=accepting,
    )


@bp.get(f"/trainings/{SLUG}/thanks")
def training_thanks(slug):
    found = trainings.published_training(slug)
    if found is None:
        abort(404)
    already = request.args.get("already") == "1"
    return render_template("public/training_thanks.html", training=found, already=already)
