"""Multiple-choice practice questions, drawn with anywidget or with core ipywidgets.

The correct option and every option's feedback stay in Python; the browser gets the
prompt and the option texts, and, after a check, the verdict on the chosen option.
The front end is chosen as for the card sort (:func:`~product_roles.frontend.resolve_ui`).

Like a card sort, a question saves the learner's choice as it is made, atomically, to
``<question-id>.choice.json`` beside the notebook, and shows it again when the cell
runs after a kernel restart. The options appear in an order of their own for each
learner (so neighbours do not copy a position, and nobody learns "the answer is the
second one"), the same order every time for that learner: see :func:`learner_id`.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from datetime import datetime, timezone
from pathlib import Path

import anywidget
import ipywidgets
import traitlets

from product_roles.content.questions import Option, Question, bank
from product_roles.frontend import STATIC as _STATIC
from product_roles.frontend import key_guard_output, resolve_ui, view_module, with_plain_text
from product_roles.grading.answers import write_text_atomically

FORMAT = "product-roles-choice"
VERSION = 1
SUFFIX = ".choice.json"
LEARNER_VAR = "PRODUCT_ROLES_LEARNER"


def _question(question_id: str) -> Question:
    questions, _ = bank()
    if question_id not in questions:
        raise KeyError(f"no question with id {question_id!r} in the question bank")
    return questions[question_id]


def learner_id() -> str:
    """Who is answering, for the order of the options: stable for one learner.

    ``PRODUCT_ROLES_LEARNER`` when set; otherwise the hub's user name
    (``JUPYTERHUB_USER``); otherwise a random id made once and kept in
    ``<Jupyter data dir>/product-roles/learner-id``.
    """
    for name in (LEARNER_VAR, "JUPYTERHUB_USER"):
        if os.environ.get(name, "").strip():
            return os.environ[name].strip()
    from jupyter_core.paths import jupyter_data_dir

    path = Path(jupyter_data_dir()) / "product-roles" / "learner-id"
    try:
        return path.read_text(encoding="utf-8").strip() or _new_learner_id(path)
    except FileNotFoundError:
        return _new_learner_id(path)
    except OSError:
        return "anonymous"


def _new_learner_id(path: Path) -> str:
    made = secrets.token_hex(8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, made + "\n")
    except OSError:
        pass  # an unwritable home: the order is still stable for this process
    return made


def option_order(question: Question, learner: str) -> list[int]:
    """The question's option indices in the order ``learner`` sees them."""
    order = list(range(len(question.options)))
    random.Random(f"{learner}\n{question.id}").shuffle(order)
    return order


class _ChoiceLogic:
    """What both front ends share: order, choosing, checking, saving and the summary."""

    question: Question

    def _setup(self, question_id: str, folder, shuffle: bool, kwargs: dict) -> None:
        if "ui" in kwargs:
            # Widgets pass unknown keywords on as traits, so ui= would be dropped quietly.
            raise TypeError(
                f"{type(self).__name__} is one front end; multiple_choice(..., ui=...) chooses one"
            )
        self.question = _question(question_id)
        count = len(self.question.options)
        self._order = option_order(self.question, learner_id()) if shuffle else list(range(count))
        self._path = Path(folder) / f"{question_id}{SUFFIX}"
        self._notice = ""

    @property
    def shown_options(self) -> list[Option]:
        """The options in the order this learner sees them."""
        return [self.question.options[i] for i in self._order]

    @property
    def answers_path(self) -> Path:
        """The file this question saves the learner's choice to."""
        return self._path

    def _selected(self) -> int | None:
        raise NotImplementedError

    def _select(self, index: int) -> None:
        raise NotImplementedError

    def _show(self, verdict: str, text: str) -> None:
        raise NotImplementedError

    def answer(self, option_text: str) -> Option:
        """Choose the option whose text is ``option_text`` (the Python way to answer)."""
        for index, option in enumerate(self.shown_options):
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
        option = self.shown_options[index]
        verdict = "right" if option.correct else "wrong"
        self._show(verdict, f"{'✓ Right.' if option.correct else '✗ Not quite.'} {option.feedback}")
        return option

    def _restore(self) -> int | None:
        """The shown index of the saved choice, or None (a damaged file is set aside)."""
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("question") != self.question.id:
                raise ValueError("not this question's choice file")
            text = data["choice"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            kept = self._path.with_name(f"{self._path.name}.corrupt-{stamp}")
            try:
                self._path.replace(kept)
            except OSError:
                return None
            self._notice = (
                f"Your saved answer ({self._path.name}) could not be read ({err}); "
                f"it was kept as {kept.name}."
            )
            return None
        texts = [option.text for option in self.shown_options]
        # A choice whose option was since reworded is dropped: it no longer says the same.
        return texts.index(text) if text in texts else None

    def _save(self, index: int | None) -> None:
        record = {
            "format": FORMAT,
            "version": VERSION,
            "question": self.question.id,
            "saved_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "choice": None if index is None else self.shown_options[index].text,
        }
        try:
            write_text_atomically(
                self._path, json.dumps(record, indent=2, ensure_ascii=False) + "\n"
            )
        except OSError as err:
            self._show("none", f"Your choice could not be saved to {self._path} ({err.strerror}).")

    def __repr__(self) -> str:
        lines = [self.question.prompt]
        lines += [f"  ({chr(97 + i)}) {o.text}" for i, o in enumerate(self.shown_options)]
        chosen = self._selected()
        if chosen is not None:
            lines.append(f"  Chosen: ({chr(97 + chosen)})")
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
    folder : path, optional
        Where the choice is saved (``<question-id>.choice.json``); the notebook's folder
        by default.
    shuffle : bool, optional
        Show the options in this learner's own, stable order (the default), or in the
        order of the question file.

    See Also
    --------
    multiple_choice : builds this view or its core fallback, whichever the page can show.
    """

    _esm = view_module("choice.js")
    _css = _STATIC / "choice.css"

    prompt = traitlets.Unicode(help="The question, as shown.").tag(sync=True)
    options = traitlets.List(traitlets.Unicode(), help="The option texts, as shown.").tag(sync=True)
    choice = traitlets.Int(None, allow_none=True, help="Index of the chosen option.").tag(sync=True)
    verdict = traitlets.Enum(
        ("", "none", "right", "wrong"), default_value="", help="The last check's verdict."
    ).tag(sync=True)
    feedback = traitlets.Unicode("", help="The last check's explanation.").tag(sync=True)

    def __init__(
        self,
        question_id: str,
        *,
        folder: str | os.PathLike = ".",
        shuffle: bool = True,
        **kwargs,
    ) -> None:
        self._setup(question_id, folder, shuffle, kwargs)
        super().__init__(
            prompt=self.question.prompt,
            options=[option.text for option in self.shown_options],
            choice=self._restore(),
            feedback=self._notice,
            **kwargs,
        )
        self.observe(self._chosen, names="choice")
        self.on_msg(self._handle_message)

    @traitlets.validate("choice")
    def _valid_choice(self, proposal):
        value = proposal["value"]
        if value is not None and not 0 <= value < len(self.options):
            raise traitlets.TraitError(f"choice {value} is not an option's index")
        return value

    def _chosen(self, change) -> None:
        self.verdict, self.feedback = "", ""
        self._save(change["new"])

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

    def __init__(
        self, question_id: str, *, folder: str | os.PathLike = ".", shuffle: bool = True, **kwargs
    ) -> None:
        self._setup(question_id, folder, shuffle, kwargs)
        self._choice = ipywidgets.RadioButtons(
            options=[(o.text, i) for i, o in enumerate(self.shown_options)],
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
        self._choice.value = self._restore()
        if self._notice:
            self._show("none", self._notice)
        self._choice.observe(self._chosen, names="value")

    def _chosen(self, change) -> None:
        self._feedback.value = ""
        self._save(change["new"])

    def _selected(self) -> int | None:
        return self._choice.value

    def _select(self, index: int) -> None:
        self._choice.value = index

    def _show(self, verdict: str, text: str) -> None:  # noqa: ARG002 - the text says right or wrong
        # The option texts come from the course's own files; escape them all the same.
        from html import escape

        self._feedback.value = f"<p role='status'>{escape(text)}</p>"

    __repr__ = _ChoiceLogic.__repr__


def multiple_choice(question_id: str, *, ui: str | None = None, **kwargs) -> _ChoiceLogic:
    """A question from the bank on the front end this page can show.

    Parameters
    ----------
    question_id : str
        The question's id in the bank.
    ui : {"auto", "anywidget", "core"}, optional
        Which front end draws it; "auto" (the default) follows
        :func:`~product_roles.frontend.resolve_ui`.
    **kwargs
        ``folder`` and ``shuffle``, as for :class:`MultipleChoice`.

    Returns
    -------
    MultipleChoice or CoreMultipleChoice
    """
    if resolve_ui(ui) == "core":
        return CoreMultipleChoice(question_id, **kwargs)
    return MultipleChoice(question_id, **kwargs)
