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
    make_training(app, slug="atelier", every_date_required=True, sessions=4)
    html = client.get(f"/{lang}{page}").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(assets) == 2

    total = transferred(client, f"/{lang}{page}") + sum(transferred(client, a) for a in assets)
    print(f"{lang}{page}: {total} bytes")
    assert total <= BUDGET


def test_static_files_are_cached_for_a_year_and_versioned(client):
    html = client.get("/fr/").get_data(as_text=True)
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert "max-age=31536000" in response.headers["Cache-Control"]
