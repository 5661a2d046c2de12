"""Every public page, with its CSS and JavaScript, fits the first round trip: 14 KB gzipped."""

import gzip
import re

import pytest

from .support import BUDGET, LANGUAGES, PUBLIC_PAGES, make_training

PAGES = PUBLIC_PAGES


def transferred(client, url: str) -> int:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, url
    body = response.get_data()
    if len(gzip.decompress(body) if response.headers.get("Content-Encoding") else body) > 256:
        assert response.headers["Content-Encoding"] == "gzip", url
    return len(body)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_public_page_with_its_assets_fits_14_kb_gzipped(app, client, lang, page):
    # The longest training page: the demo's programme, four sessions with their own line.
    make_training(app, slug="atelier", every_date_required=True, sessions=4, texts_of_the_demo=True)
    html = client.get(f"/{lang}{page}").get_data(as_text=True)
    # A browser with JavaScript loads the stylesheet and the script; one without loads the
    # stylesheet and the small one inside <noscript> instead of the script.
    without_script = re.sub(r"<noscript>.*?</noscript>", "", html, flags=re.S)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', without_script)
    assert len(assets) == 2
    fallback = re.findall(r'<noscript><link [^>]*href="(/static/[^"]+)"', html)
    assert len(fallback) == 1

    page_size = transferred(client, f"/{lang}{page}")
    sizes = {asset: transferred(client, asset) for asset in assets + fallback}
    with_script = page_size + sum(sizes[a] for a in assets)
    no_script = page_size + sum(sizes[a] for a in assets if ".js" not in a) + sizes[fallback[0]]
    print(f"{lang}{page}: {with_script} bytes ({no_script} without JavaScript)")
    assert max(with_script, no_script) <= BUDGET


def test_static_files_are_cached_for_a_year_and_versioned(client):
    html = client.get("/fr/").get_data(as_text=True)
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert "max-age=31536000" in response.headers["Cache-Control"]
