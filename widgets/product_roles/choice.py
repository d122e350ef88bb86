"""Multiple-choice practice questions, drawn with anywidget or with core ipywidgets.

The correct option and every option's feedback stay in Python; the browser gets the
prompt and the option texts, and, after a check, the verdict on the chosen option.
The front end is chosen as for the card sort (:func:`~product_roles.frontend.resolve_ui`).
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import ipywidgets
import traitlets

from .frontend import key_guard_output, resolve_ui, view_module
from .questionbank import Option, Question, bank
from .sortstate import with_plain_text

_STATIC = Path(__file__).parent / "static"


def _question(question_id: str) -> Question:
    questions, _ = bank()
    if question_id not in questions:
        raise KeyError(f"no question with id {question_id!r} in the question bank")
    return questions[question_id]


class _ChoiceLogic:
    """What both front ends share: choosing, checking and the plain-text summary."""

    question: Question

    def _selected(self) -> int | None:
        raise NotImplementedError

    def _select(self, index: int) -> None:
        raise NotImplementedError

    def _show(self, verdict: str, text: str) -> None:
        raise NotImplementedError

    def answer(self, option_text: str) -> Option:
        """Choose the option whose text is ``option_text`` (the Python way to answer)."""
        for index, option in enumerate(self.question.options):
            if option.text == option_text:
                self._select(index)
                return option
        raise ValueError(f"no option {option_text!r} in question {self.question.id!r}")

    def check(self) -> Option | None:
        """Show, and return, the feedback for the chosen option (None if none is chosen)."""
        index = self._selected()
        if index is None:
            self._show("none", "Choose an option first.")
            return None
        option = self.question.options[index]
        verdict = "right" if option.correct else "wrong"
        self._show(verdict, f"{'✓ Right.' if option.correct else '✗ Not quite.'} {option.feedback}")
        return option

    def __repr__(self) -> str:
        lines = [self.question.prompt]
        lines += [f"  ({chr(97 + i)}) {o.text}" for i, o in enumerate(self.question.options)]
        return "\n".join(lines)

    def _repr_mimebundle_(self, **kwargs):
        # Widgets cut text/plain short; a notebook read without a browser shows it all.
        return with_plain_text(super()._repr_mimebundle_(**kwargs), repr(self))


class MultipleChoice(_ChoiceLogic, anywidget.AnyWidget):
    """One practice question: pick an option, press Check, read why.

    Parameters
    ----------
    question_id : str
        The id of a question in ``data/questions/*.yaml``.
    ui : {"auto", "anywidget", "core"}, optional
        The front end; with "core" the object returned is a :class:`CoreMultipleChoice`.
    """

    _esm = view_module("choice.js")
    _css = _STATIC / "choice.css"

    prompt = traitlets.Unicode(help="The question, as shown.").tag(sync=True)
    options = traitlets.List(traitlets.Unicode(), help="The option texts, in order.").tag(sync=True)
    choice = traitlets.Int(None, allow_none=True, help="Index of the chosen option.").tag(sync=True)
    verdict = traitlets.Enum(
        ("", "none", "right", "wrong"), default_value="", help="The last check's verdict."
    ).tag(sync=True)
    feedback = traitlets.Unicode("", help="The last check's explanation.").tag(sync=True)

    def __new__(cls, question_id: str, *args, ui: str | None = None, **kwargs):
        if cls is MultipleChoice and resolve_ui(ui) == "core":
            return CoreMultipleChoice(question_id, **kwargs)
        return super().__new__(cls)

    def __init__(self, question_id: str, *, ui: str | None = None, **kwargs) -> None:
        self.question = _question(question_id)
        super().__init__(
            prompt=self.question.prompt,
            options=[option.text for option in self.question.options],
            **kwargs,
        )
        self.observe(self._clear_verdict, names="choice")
        self.on_msg(self._handle_message)

    @traitlets.validate("choice")
    def _valid_choice(self, proposal):
        value = proposal["value"]
        if value is not None and not 0 <= value < len(self.options):
            raise traitlets.TraitError(f"choice {value} is not an option's index")
        return value

    def _clear_verdict(self, _change) -> None:
        self.verdict, self.feedback = "", ""

    def _handle_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("action") == "check":
            self.check()

    def _selected(self) -> int | None:
        return self.choice

    def _select(self, index: int) -> None:
        self.choice = index

    def _show(self, verdict: str, text: str) -> None:
        self.verdict, self.feedback = verdict, text

    __repr__ = _ChoiceLogic.__repr__


class CoreMultipleChoice(_ChoiceLogic, ipywidgets.VBox):
    """The same question on core ipywidgets, for front ends without anywidget's extension."""

    def __init__(self, question_id: str, **kwargs) -> None:
        self.question = _question(question_id)
        self._choice = ipywidgets.RadioButtons(
            options=[(o.text, i) for i, o in enumerate(self.question.options)],
            value=None,
            layout=ipywidgets.Layout(width="auto"),
        )
        self._check = ipywidgets.Button(description="Check my answer")
        self._feedback = ipywidgets.HTML()
        self._check.on_click(lambda _button: self.check())
        prompt = ipywidgets.Label(self.question.prompt)
        # The key guard keeps the notebook's arrow-key shortcuts off the radio buttons.
        parts = [prompt, self._choice, self._check, self._feedback, key_guard_output()]
        super().__init__(parts, **kwargs)
        self.add_class("prq-core")

    def _selected(self) -> int | None:
        return self._choice.value

    def _select(self, index: int) -> None:
        self._choice.value = index

    def _show(self, verdict: str, text: str) -> None:
        # The option texts come from the course's own files; escape them all the same.
        from html import escape

        self._feedback.value = f"<p role='status'>{escape(text)}</p>"

    __repr__ = _ChoiceLogic.__repr__
