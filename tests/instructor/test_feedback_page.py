"""TidyFeedback, on a notebook as nbgrader hands it over: widget views go, text stays, CSS added."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from product_roles.instructor.feedback_page import WIDGET_VIEW, WRAP_CSS, TidyFeedback

VIEW = {"model_id": "abc", "version_major": 2, "version_minor": 1}


def test_widget_views_go_their_text_stays_and_empty_outputs_are_dropped():
    widget_only = new_output("execute_result", {WIDGET_VIEW: VIEW}, execution_count=1)
    summary = {WIDGET_VIEW: VIEW, "text/plain": "Card sort 'ex': 2 of 2 placed"}
    with_text = new_output("execute_result", summary, execution_count=2)
    blank = new_output("display_data", {"text/plain": "  \n"})
    stream = new_output("stream", name="stdout", text="a: right, PO (1/1)\n")
    points = new_output("execute_result", {"text/plain": "2.0"}, execution_count=3)
    nb = new_notebook(
        cells=[
            new_code_cell("sort", outputs=[widget_only]),
            new_code_cell("sort", outputs=[with_text, blank]),
            new_code_cell("score", outputs=[stream, points]),
        ]
    )
    nb, resources = TidyFeedback().preprocess(nb, {"inlining": {"css": ["highlight css"]}})
    outputs = [cell.outputs for cell in nb.cells]
    assert outputs[0] == []
    assert [o.data for o in outputs[1]] == [{"text/plain": "Card sort 'ex': 2 of 2 placed"}]
    assert outputs[2] == [stream, points]
    assert resources["inlining"]["css"] == ["highlight css", WRAP_CSS]
    nbformat.validate(nb)
    assert "white-space: pre-wrap" in WRAP_CSS
    assert "word-break: normal" in WRAP_CSS


def test_the_course_config_runs_it_last_when_feedback_is_made(root):
    from product_roles.instructor.course import load_config

    steps = load_config(root).GenerateFeedback.preprocessors
    assert steps[-1] is TidyFeedback
