"""Rendered public pages kept in memory, per application and process.

Pages that are the same for every visitor (or the same but for a few tokens filled in per
request) are rendered once. The store belongs to the app, so two apps in one process (tests,
or a second configuration) never see each other's pages. Off in debug mode, where templates
change while you work.
"""

from collections.abc import Callable, Hashable

from flask import current_app

# Training pages have one entry per state (seats left…); old states are simply dropped.
LIMIT = 1000


def cached(key: Hashable, render: Callable[[], str]) -> str:
    if current_app.debug:
        return render()
    pages = current_app.extensions.setdefault("surveys.pages", {})
    page = pages.get(key)
    if page is None:
        page = render()
        if len(pages) >= LIMIT:
            pages.clear()
        pages[key] = page
    return page
