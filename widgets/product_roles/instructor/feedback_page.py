"""The layout of a feedback page: long lines wrap, and a widget leaves no empty output behind.

A feedback page is nbgrader's HTML of the graded notebook. Two things in it read
badly: a card's verdict line, or a long line of the notebook, ran off the right edge
(nbconvert's ``pre`` blocks neither wrap nor fit the page), and each widget cell
showed an empty ``Out[n]:``, since a static page has no widget to draw.
:class:`TidyFeedback` runs last in ``GenerateFeedback.preprocessors``: it adds a
small style sheet that wraps those blocks, and keeps of a widget's output only its
plain-text account (the card sort's summary of where each card was placed),
dropping an output with nothing left to show.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Wrap at the page's edge, between words; break a word only when it is longer than
# the line (Bootstrap's own rule for pre breaks anywhere: word-break: break-all).
WRAP_CSS = """
div.output_area pre, div.input_area pre, div.output_text pre, .highlight pre {
  white-space: pre-wrap;
  word-break: normal;
  overflow-wrap: anywhere;
  overflow-x: visible;
}
div.output_subarea { max-width: 100%; min-width: 0; }
"""


def _shown(output: NotebookNode) -> bool:
    """Whether an output still has something to show once its widget view is gone."""
    if output.get("output_type") not in ("execute_result", "display_data"):
        return True
    data = output.get("data", {})
    data.pop(WIDGET_VIEW, None)
    text = data.get("text/plain")
    if isinstance(text, list):
        text = "".join(text)
    if "text/plain" in data and not str(text).strip():
        del data["text/plain"]
    return bool(data)


class TidyFeedback(NbGraderPreprocessor):
    """Wrap long lines of a feedback page, and drop the outputs a static page cannot show."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell.outputs = [output for output in cell.get("outputs", []) if _shown(output)]
        inlining = resources.setdefault("inlining", {})
        inlining["css"] = [*inlining.get("css", []), WRAP_CSS]
        return nb, resources
