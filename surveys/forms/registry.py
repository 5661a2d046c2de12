"""The registry of public forms: every place that lists or serves a form reads it from here.

The public address and its thank-you page, the home page's cards, the staff navigation, the
answers, summaries and exports, the posters and the privacy search all walk ``FORMS``, so a
form added here is served and read everywhere without another line of code. (Training
sign-ups are not in it: they belong to a training, on its own page.)

Each form's own texts (its heading, introduction, button and thank-you page) are kept with
it, as the definition's questions are: an entry says everything the pages need to show it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from .definition import FormDefinition
from .ili import ILI
from .survey import SURVEY


@dataclass(frozen=True)
class RegisteredForm:
    definition: FormDefinition
    # Its public address, under the language: /<lang>/<path> (printed on posters: never
    # changed once published).
    path: str
    # What staff call it (navigation, headings, lists).
    staff_title: Any
    staff_short_title: Any
    # The public page.
    title: Any
    lead: Any
    submit_label: Any
    # The home page's card.
    card_title: Any
    card_text: Any
    # The thank-you page: what happens next, and a link to fill the form in again (for a
    # form that describes one thing of several, e.g. one activity per form).
    thanks_lead: Any
    intro: Any = None
    thanks_more: Any = None
    again_label: Any = None
    # Offered as a poster with a QR code.
    on_posters: bool = True

    @property
    def code(self) -> str:
        return self.definition.code


FORMS: dict[str, RegisteredForm] = {
    entry.code: entry
    for entry in (
        RegisteredForm(
            definition=SURVEY,
            path="survey",
            staff_title=_l("Information-needs survey"),
            staff_short_title=_l("Survey"),
            title=_l("What information do you need?"),
            lead=_l(
                "We regularly receive news about French courses, activities and services in "
                "the province of Namur. Tell us what interests you and how to reach you, so "
                "that we pass on what matters to you."
            ),
            intro=_l(
                "The survey is anonymous: leave your contact details only if you want to "
                "receive information. It takes about five minutes."
            ),
            submit_label=_l("Send my answers"),
            card_title=_l("Survey: what information do you need?"),
            card_text=_l(
                "For people who have recently arrived in Belgium: tell us which news you "
                "want to receive and how, so that we pass on what matters to you."
            ),
            thanks_lead=_l(
                "Your answers have been recorded. They help us choose which information to "
                "pass on, and how."
            ),
            thanks_more=_l(
                "If you left your contact details, we will send you information in the way "
                "you chose. You can ask us at any time to stop and to delete them."
            ),
        ),
        RegisteredForm(
            definition=ILI,
            path="ili",
            staff_title=_l("ILI activities"),
            staff_short_title=_l("ILI activities"),
            title=_l("Make your activity known"),
            lead=_l(
                "Local integration initiatives and associations: describe one activity per "
                "form, and the centre will publicise it through the channels you choose."
            ),
            submit_label=_l("Send the activity"),
            card_title=_l("Make your activity known"),
            card_text=_l(
                "For local integration initiatives (ILI) and associations: describe an "
                "activity so that the centre can publicise it."
            ),
            thanks_lead=_l(
                "Your activity has been received. The centre will contact you if anything "
                "needs to be clarified before it is published."
            ),
            again_label=_l("Describe another activity"),
        ),
    )
}
BY_PATH: dict[str, RegisteredForm] = {entry.path: entry for entry in FORMS.values()}


def registered(code: str) -> RegisteredForm | None:
    return FORMS.get(code)


def on_posters() -> Iterator[RegisteredForm]:
    return (entry for entry in FORMS.values() if entry.on_posters)
