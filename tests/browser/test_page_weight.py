"""What a phone actually downloads: bytes transferred (compressed) per public page as the
browser counts them, no request to any other host; and a screenshot of every page."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from surveys.config import ROOT

from ..support import BUDGET, LANGUAGES, PUBLIC_PAGES
from .conftest import PHONE, SLOW_3G

FORM_PAGES = {"/survey", "/ili", "/trainings/atelier"}
SCREENSHOTS = Path(os.environ.get("SURVEYS_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_weight_hosts_and_screenshot(browser, live, lang, path):
    context = browser.new_context(base_url=live.url, locale=lang, **PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    transferred = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(f"/{lang}{path}", wait_until="load")
    page.wait_for_timeout(200)  # let the last loadingFinished events arrive
    total = sum(transferred)

    assert hosts == {urlsplit(live.url).netloc}, hosts
    assert len(transferred) == 3  # the page, its stylesheet, its script
    print(f"\n[weight] /{lang}{path}: {total} bytes transferred")
    if path in FORM_PAGES:
        assert total <= BUDGET
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{lang}{path.replace('/', '_') or '_home'}.png"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    context.close()
