"""surveys: multilingual forms and surveys for an intercultural centre (fr, en, uk)."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, config, database, errors, health, logs, security, staff, templating
from .extensions import (
    babel,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)
from .i18n import get_locale
from .public import page_cache
from .public import views as public_views
from .public.converters import FormPageConverter, SlugConverter
from .sessions import SessionInterface


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands. No I/O."""
    app = Flask(
        __name__,
        template_folder=str(config.ROOT / "templates"),
        instance_relative_config=True,
    )
    config.load(app, test_config)
    app.session_interface = SessionInterface()
    logs.init_app(app)

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"))
    babel.init_app(app, locale_selector=get_locale)
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_FIX_COUNT"]:
        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    # Outermost, so that cached pages are answered before anything else runs.
    app.wsgi_app = page_cache.FastLane(app, app.wsgi_app)

    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["form_page"] = FormPageConverter
    app.register_blueprint(public_views.entry)
    app.register_blueprint(public_views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp)

    cli.init_app(app)
    return app
