"""The floor: a bare Flask app returning a constant page, served with the same gunicorn
settings as the real app, so the harness can report each scenario as a share of it."""

from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><html lang=fr><title>floor</title><p>" + "x" * 2000


@app.get("/")
def constant():
    return PAGE
