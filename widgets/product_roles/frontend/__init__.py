"""The front end every widget shares: its ES modules and CSS, and the fallback choice.

The views live in ``static/`` beside this module, plain files with no build step.

Choosing the card sort's front end: the anywidget view, or core ipywidgets alone.

The anywidget view needs anywidget's front-end extension in the Jupyter server that
shows the notebook. Where it is missing (a locked-down JupyterHub image, an old
front end), the card sort falls back to controls built from core ipywidgets, with
the same Python API and the same answers file.

How the choice is made, first match wins:

1. ``ui="anywidget"`` or ``ui="core"`` given to the card sort;
2. the environment variable ``PRODUCT_ROLES_UI`` set to ``anywidget`` or ``core``;
3. otherwise, ``anywidget`` when its JupyterLab extension (``anywidget/package.json``
   under a ``labextensions`` folder of the Jupyter data path) is installed, and
   ``core`` when it is not.

The third rule looks at the kernel's environment; it is right when the kernel and
the Jupyter server share an environment (the course's set-up). A kernel running
elsewhere should set ``PRODUCT_ROLES_UI``.
"""

from __future__ import annotations

import os
from pathlib import Path

UIS = ("anywidget", "core")
ENV_VAR = "PRODUCT_ROLES_UI"
STATIC = Path(__file__).parent / "static"


def anywidget_frontend_installed() -> bool:
    """Whether anywidget's JupyterLab extension is on this environment's Jupyter data path."""
    from jupyter_core.paths import jupyter_path

    return any(
        (Path(folder) / "anywidget" / "package.json").is_file()
        for folder in jupyter_path("labextensions")
    )


def resolve_ui(ui: str | None = None) -> str:
    """Return ``"anywidget"`` or ``"core"`` for a requested ``ui`` (None or "auto": decide).

    Raises
    ------
    ValueError
        For a ``ui`` argument or a ``PRODUCT_ROLES_UI`` value that is neither choice.
    """
    if ui not in (None, "auto"):
        if ui not in UIS:
            raise ValueError(f"ui must be 'anywidget', 'core' or 'auto', not {ui!r}")
        return ui
    chosen = os.environ.get(ENV_VAR, "").strip().lower()
    if chosen and chosen != "auto":
        if chosen not in UIS:
            raise ValueError(f"{ENV_VAR} must be 'anywidget', 'core' or 'auto', not {chosen!r}")
        return chosen
    return "anywidget" if anywidget_frontend_installed() else "core"


def view_module(name: str) -> str:
    """The ES module of an anywidget view: ``static/keyguard.js`` followed by ``static/<name>``.

    anywidget loads a view's module from text, so it cannot import a sibling file; the
    key guard (which keeps the notebook's shortcuts away from a focused control, see
    ``static/keyguard.js``) is put in front of every view instead.
    """
    guard, view = ((STATIC / f).read_text(encoding="utf-8") for f in ("keyguard.js", name))
    return f"{guard}\n{view}"


def key_guard_output():
    """An ipywidgets ``Output`` that installs the key guard, for the core fallbacks.

    Core ipywidgets carry no script of their own, so the guard travels as a trusted
    JavaScript output inside the widget. It installs once per page, however many
    widgets show it, and it acts only on controls inside a ``prs-core`` or ``prq-core``
    box.
    """
    import ipywidgets
    from IPython.display import Javascript

    output = ipywidgets.Output(layout={"display": "none"})
    output.append_display_data(Javascript((STATIC / "keyguard.js").read_text(encoding="utf-8")))
    return output


def with_plain_text(bundle, text: str):
    """Put ``text`` as the text/plain of a mime bundle, a dict or a (data, metadata) pair."""
    if bundle is None:
        return None
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    data["text/plain"] = text
    return bundle
