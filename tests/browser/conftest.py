"""Browser tests: Playwright driving Debian's Chromium on a phone-sized screen, against the
app served by a real HTTP server on loopback."""

import os
import shutil
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from ..support import make_app, make_staff, make_training

CHROMIUM = os.environ.get("SURVEYS_CHROMIUM", "/usr/bin/chromium")
# The flags that work in this sandbox (DEVELOPERS.md); no background traffic of Chromium's own.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
TABLET = {
    "viewport": {"width": 768, "height": 1024},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Chrome DevTools' "Slow 3G" preset.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 500 * 1024 / 8 * 0.8,
    "uploadThroughput": 500 * 1024 / 8 * 0.8,
}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"browser tests skipped: no Chromium at {CHROMIUM} "
            "(install it with 'apt-get install -y chromium'; .ci/run does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="module")
def live(tmp_path_factory, sqlite_template):
    """The app on a real server (threads) on 127.0.0.1, with a staff account and trainings."""
    folder = tmp_path_factory.mktemp("live")
    path = folder / "surveys.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    make_staff(app)
    make_training(app, slug="droit-des-etrangers", capacity=30)
    make_training(
        app,
        slug="atelier",
        capacity=20,
        every_date_required=True,
        sessions=4,
        texts_of_the_demo=True,
        title={
            "fr": "Atelier interculturel",
            "en": "Intercultural workshop",
            "uk": "Міжкультурний воркшоп",
        },
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app.config["PUBLIC_URL"], app)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def open_page(browser, live):
    """Open a page in a new phone-sized browser context: ``open_page(path, lang=…)``."""
    contexts = []

    def open_(
        path: str,
        *,
        lang: str = "fr",
        javascript: bool = True,
        slow: bool = False,
        phone: bool = True,
    ):
        context = browser.new_context(
            base_url=live.url,
            locale=lang,
            java_script_enabled=javascript,
            **(PHONE if phone else {}),
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if slow:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


def logged_in_staff_page(browser, live, **device):
    """A staff member's page, logged in, once the staff data exist (module by module)."""
    from .test_accessibility import logged_in_staff, staff_data

    ids = staff_data(live)
    context, page = logged_in_staff(browser, live, **device)
    return context, page, ids


@pytest.fixture(scope="module")
def staff_page(browser, live):
    context, page, ids = logged_in_staff_page(browser, live)
    yield page, ids
    context.close()


@pytest.fixture(scope="module")
def staff_phone(browser, live):
    context, page, ids = logged_in_staff_page(browser, live, **PHONE)
    yield page, ids
    context.close()
