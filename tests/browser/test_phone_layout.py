"""The public forms on a 360 px phone: every check box and radio about 40 px, every choice a
target at least 44 px high, lists in columns only where no label wraps, nothing past the
content's edge: on the blank form and once it comes back with errors, in three languages."""

import pytest

from ..support import LANGUAGES

FORMS = ["survey", "ili", "trainings/atelier"]
ONE_LINE = 45  # a choice's row is at least 44 px high; a label on two lines makes it taller


def layout_problems(page) -> list[str]:
    problems = []
    main = page.locator("main").bounding_box()
    edge = main["x"] + main["width"] + 1
    for box in page.locator(
        "main input[type=checkbox]:visible, main input[type=radio]:visible"
    ).all():
        size = box.bounding_box()
        if size["width"] < 38 or size["height"] < 38:
            problems.append(f"input {box.get_attribute('id')}: {size['width']}x{size['height']}")
    for group in page.locator(".choices").all():
        labels = group.locator(".choice label").all()
        boxes = [label.bounding_box() for label in labels]
        columns = {round(box["x"]) for box in boxes}
        for label, box in zip(labels, boxes, strict=True):
            name = label.inner_text()
            if box["height"] < 44:
                problems.append(f"{name!r}: a target {box['height']} px high")
            if box["x"] + box["width"] > edge:
                problems.append(f"{name!r}: past the content's edge")
            if len(columns) > 1 and box["height"] > ONE_LINE:
                problems.append(f"{name!r}: wraps in a list of {len(columns)} columns")
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("form", FORMS)
def test_choices_are_large_targets_in_one_column_where_labels_wrap(open_page, lang, form):
    page = open_page(f"/{lang}/{form}", lang=lang)
    assert layout_problems(page) == []
    # The same page with its errors: every question marked, its message above the choices.
    with page.expect_navigation():
        page.locator("main form[method=post]").last.evaluate("form => form.submit()")
    assert page.locator(".q.bad").count() > 0
    assert layout_problems(page) == []


@pytest.mark.parametrize("form", ["survey", "ili"])
def test_inputs_are_sized_to_what_they_hold(open_page, form):
    """A phone number or a count in a box as wide as the page reads as a place for a long
    text: their boxes fit their content; texts and addresses keep the whole width."""
    page = open_page(f"/en/{form}", lang="en")
    width = page.locator("main").bounding_box()["width"]
    phone = page.locator("main input[type=tel]").first.bounding_box()["width"]
    assert 200 <= phone <= 250 < width
    if form == "ili":
        count = page.locator("main input[inputmode=numeric]").first.bounding_box()["width"]
        assert 120 <= count <= 150
        email = page.locator("main input[type=email]").first.bounding_box()["width"]
        assert email > width - 40
