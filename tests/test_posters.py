"""Posters: for each public form and language, the link and its QR code."""

import pytest

from .support import LANGUAGES


def test_poster_page_lists_every_form_in_every_language(app, staff_client):
    html = staff_client.get("/staff/posters").get_data(as_text=True)
    for page in ("survey", "trainings", "ili"):
        for lang in LANGUAGES:
            assert f"{app.config['PUBLIC_URL']}/{lang}/{page}" in html
            assert f"/staff/posters/{page}-{lang}.svg" in html


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_qr_codes_as_svg_and_png(app, staff_client, kind):
    response = staff_client.get(f"/staff/posters/survey-uk.{kind}?download=1")
    assert response.status_code == 200
    data = response.get_data()
    if kind == "svg":
        assert response.mimetype == "image/svg+xml"
        assert b"<svg" in data and f"{app.config['PUBLIC_URL']}/uk/survey".encode() in data
    else:
        assert response.mimetype == "image/png"
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.headers["Content-Disposition"] == f'attachment; filename="qr-survey-uk.{kind}"'


def test_unknown_poster_is_404(staff_client):
    assert staff_client.get("/staff/posters/nothing-fr.svg").status_code == 404
    assert staff_client.get("/staff/posters/survey-de.svg").status_code == 404
