"""``flask`` commands."""

from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Training


def test_demo_load_adds_three_published_trainings_once(app, runner, client):
    assert "3 demonstration" in runner.invoke(args=["demo", "load"]).output
    assert "0 demonstration" in runner.invoke(args=["demo", "load"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Training)) == 3
    html = client.get("/uk/trainings").get_data(as_text=True)
    assert html.count('<article class="training">') == 3
