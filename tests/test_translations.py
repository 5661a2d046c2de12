"""Translations are product: every message in every catalog, complete, with correct plurals."""

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po

from surveys.cli.translate import extract
from surveys.config import ROOT

from .support import LANGUAGES

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=lang)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the code and templates ask for today (not the committed messages.pot)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    extract(output=pot)
    with pot.open("rb") as file:
        return read_po(file)


def entries(lang):
    """(msgids, msgstrs) of every message, plural or not, as tuples."""
    for message in catalog(lang):
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield message, ids, strings


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_extracted_message_is_translated(extracted, lang):
    translations = catalog(lang)
    missing = [
        m.id for m in extracted if m.id and translations.get(m.id, context=m.context) is None
    ]
    assert missing == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_or_fuzzy_entries(lang):
    problems = []
    for message, _ids, strings in entries(lang):
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


# Ukrainian addresses a person in the vocative ("Олено", not "Олена"), which no code can
# make from a name: a greeting there leaves the name out.
GREETINGS = ("Hello ", "Dear ")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    wrong = []
    for message, ids, strings in entries(lang):
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        if lang == "uk" and ids[0].startswith(GREETINGS):
            expected.discard("name")
        for string in strings:
            # A singular form may spell out "one" instead of printing the number.
            found = set(PLACEHOLDER.findall(string))
            if found - expected or (expected - found) - {"num"}:
                wrong.append((message.id, string))
    assert wrong == []


def test_a_ukrainian_greeting_never_puts_a_name_in_the_nominative():
    greetings = [m for m in catalog("uk") if isinstance(m.id, str) and m.id.startswith(GREETINGS)]
    assert greetings, "the e-mails greet people"
    assert [(m.id, m.string) for m in greetings if "%(name)s" in m.string] == []


def test_ukrainian_has_three_plural_forms_and_french_treats_zero_as_singular():
    uk = catalog("uk")
    assert uk.num_plurals == 3
    assert all(len(m.string) == 3 for m in uk if m.id and isinstance(m.id, tuple))
    fr = catalog("fr")
    assert fr.plural_expr == "(n > 1)"


def test_translations_are_not_copies_of_the_english(app):
    """A catalog filled with the msgids would pass the checks above and still be English."""
    for lang in ("fr", "uk"):
        same = [
            m.id
            for m in catalog(lang)
            if m.id and not isinstance(m.id, tuple) and m.string == m.id and len(m.id) > 12
        ]
        assert same == [], lang


def test_catalog_directory_is_absolute(app):
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"].startswith("/")


def test_every_text_of_the_shipped_forms_is_written_in_every_language():
    """The forms' texts live in their seed files, not in the catalogs: each is there in
    French, English and Ukrainian (a name written once counts for all), and not a copy of
    the English where it should be translated."""
    from surveys.forms import seed_files
    from surveys.forms.document import missing_translations, problems, texts_in

    for seed in seed_files.seeds():
        assert problems(seed.document) == [], seed.code
        assert missing_translations(seed.document) == [], seed.code
        copies = [
            where
            for where, value in texts_in(seed.document)
            if isinstance(value, dict) and value["uk"] == value["en"]
        ]
        assert copies == [], seed.code


def test_the_shipped_forms_keep_every_code_of_version_1():
    """Answers stored before forms were data point at version 1, frozen in migration 0005.
    A seed file may change (and be published as a later version), and may leave a question
    out; but a question it keeps keeps its type, and a choice is hidden, never removed:
    answers are read across versions by these codes."""
    import json

    from surveys.forms import seed_files

    frozen = json.loads((ROOT / "migrations" / "versions" / "0005_forms_v1.json").read_text())
    for seed in seed_files.seeds():
        now = {q["code"]: q for q in seed.document["questions"]}
        for question in frozen[seed.code]["document"]["questions"]:
            kept = now.get(question["code"])
            if kept is None:
                continue
            assert kept["type"] == question["type"], question["code"]
            codes = {c["code"] for c in kept.get("choices", ())}
            assert {c["code"] for c in question.get("choices", ())} <= codes, question["code"]


# Ukrainian euphony: between a word ending in a vowel and a word starting with a consonant
# the preposition is "v", not "u" (a person "v spysku", on the list); before "v" and "f" it
# stays "u".
HARSH_U = re.compile(r"[аеєиіїоуюя]\s+у\s+[бгґджзклмнпрстхцчшщ]", re.IGNORECASE)


def test_ukrainian_says_v_not_u_between_a_vowel_and_a_consonant():
    from surveys.forms import seed_files
    from surveys.forms.document import texts_in

    texts = [string for _, _, strings in entries("uk") for string in strings]
    for seed in seed_files.seeds():
        texts += [v["uk"] for _, v in texts_in(seed.document) if isinstance(v, dict)]
    assert [t for t in texts if HARSH_U.search(t)] == []


def test_each_required_question_of_the_shipped_forms_says_what_to_do_for_it():
    """An unanswered question's message names what to do for that question ("Choose how
    you would like us to contact you"), in every language, not a generic "Choose an answer"
    repeated down the error summary; no two questions of a form share one."""
    from surveys.forms import seed_files

    for seed in seed_files.seeds():
        asked = [q for q in seed.document["questions"] if q.get("required") or q.get("required_if")]
        missing = [q["code"] for q in asked if set(q.get("required_message", {})) != set(LANGUAGES)]
        assert missing == [], seed.code
        english = [q["required_message"]["en"] for q in asked]
        assert len(english) == len(set(english)), seed.code


def test_ukrainian_consent_boxes_use_the_standard_formula():
    """A consent box reads "Я даю згоду на те, щоб…", the formula people know from forms."""
    from surveys.forms import seed_files

    labels = {
        (seed.code, q["code"]): q["label"]["uk"]
        for seed in seed_files.seeds()
        for q in seed.document["questions"]
        if q["type"] == "consent" and q.get("consent_version")
    }
    assert labels
    assert {
        key for key, label in labels.items() if not label.startswith("Я даю згоду на те, щоб")
    } == set()


# French typography: a no-break space before ":" and inside « », a narrow one before "?",
# "!" and ";", so that a phone never wraps the sign alone at the start of a line.
LOOSE_FRENCH_SIGN = re.compile(r" [?!;:»]|« ")


def french_texts() -> list[str]:
    """Every French text we ship: the catalog, the forms' seed files, the demo trainings."""
    from surveys.cli.demo import demo_trainings
    from surveys.forms import seed_files
    from surveys.forms.document import texts_in

    texts = [string for _, _, strings in entries("fr") for string in strings]
    for seed in seed_files.seeds():
        texts += [v["fr"] for _, v in texts_in(seed.document) if isinstance(v, dict)]
    for training in demo_trainings(date.today()):
        for value in vars(training).values():
            if isinstance(value, dict) and isinstance(value.get("fr"), str):
                texts.append(value["fr"])
        texts += [s.topic["fr"] for s in training.sessions if s.topic and s.topic.get("fr")]
    return texts


def test_french_signs_are_held_by_a_no_break_space():
    assert [t for t in french_texts() if LOOSE_FRENCH_SIGN.search(t)] == []


def test_french_apostrophes_are_typographic():
    assert [t for t in french_texts() if "'" in t] == []
