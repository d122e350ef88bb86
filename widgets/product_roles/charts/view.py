"""Course charts drawn in the colours of JupyterLab's theme, and laid out for their width.

The course's chart functions return a :class:`CourseFigure`, an ordinary
``plotly.graph_objects.Figure`` (build on it, inspect it, export it as usual) that
shows itself in a notebook through :class:`ChartView`, a small anywidget
(``static/chart.js``). The view takes its colours from JupyterLab's theme variables,
redraws when the learner switches between light and dark, wraps long titles and
category labels to the chart's width, and moves the legend under the plot on narrow
screens. plotly.js comes from the kernel, from the plotly package itself, once per
page: nothing is fetched from the network.

Drawing in place also means a chart that Python redraws (the two-axis exercise's
Sankey after every move) changes without clearing and re-creating an output.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import anywidget
import ipywidgets
import plotly.graph_objects as go
import traitlets
from IPython.display import display

from product_roles.frontend import resolve_ui, view_module, with_plain_text

PLOTLY_MIME = "application/vnd.plotly.v1+json"


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    """The plotly.js bundle that ships inside the plotly package."""
    return resources.files("plotly").joinpath("package_data/plotly.min.js").read_bytes()


class ChartView(anywidget.AnyWidget):
    """Shows a plotly figure in the notebook's theme; set ``figure`` to redraw it in place."""

    _esm = view_module("chart.js")
    _css = """
    .prc-root { width: 100%; min-width: 0; }
    .prc-plot { width: 100%; }
    """

    figure = traitlets.Dict(help="The figure as plotly JSON (data, layout).").tag(sync=True)
    revision = traitlets.Int(0, help="Bumped on each redraw from Python.").tag(sync=True)
    summary = traitlets.Unicode("", help="A one-line account of the chart, for text output.")

    def __init__(self, figure: go.Figure, **kwargs) -> None:
        super().__init__(figure=_as_json(figure), summary=_summary(figure), **kwargs)
        self.on_msg(self._handle_message)

    def show(self, figure: go.Figure) -> None:
        """Draw ``figure`` in place of the current one."""
        self.summary = _summary(figure)
        self.figure = _as_json(figure)
        self.revision += 1

    def _handle_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("action") == "plotly.js":
            self.send({"kind": "plotly.js"}, buffers=[plotly_js()])

    def _repr_mimebundle_(self, **kwargs):
        return with_plain_text(super()._repr_mimebundle_(**kwargs), self.summary)


class PlainChart(ipywidgets.Output):
    """The core-ipywidgets stand-in for :class:`ChartView`: plotly's renderer, redrawn
    by replacing the output (for front ends without anywidget)."""

    def __init__(self, figure: go.Figure, **kwargs) -> None:
        super().__init__(**kwargs)
        self.show(figure)

    def show(self, figure: go.Figure) -> None:
        """Draw ``figure`` in place of the current one."""
        with self:
            self.clear_output(wait=True)
            display(go.Figure(figure))


class CourseFigure(go.Figure):
    """A plotly figure that a notebook shows through :class:`ChartView`."""

    def _repr_mimebundle_(self, include=None, exclude=None, validate=True, **kwargs):
        if resolve_ui() == "core":
            # No anywidget front end: plotly's own renderer, in its fixed colours.
            return super()._repr_mimebundle_(include, exclude, validate, **kwargs)
        bundle = ChartView(self)._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        # Viewers without a kernel (nbconvert, a hub's file preview) still have the
        # figure itself to draw.
        data[PLOTLY_MIME] = json.loads(self.to_json())
        return bundle

    def _ipython_display_(self):
        # plotly's own hook would bypass the view; show the view's bundle instead.
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=metadata, raw=True)

    def __reduce__(self):
        return (go.Figure, (self.to_dict(),))


def course_figure(figure: go.Figure) -> CourseFigure:
    """The same figure, shown in the notebook's theme."""
    if isinstance(figure, CourseFigure):
        return figure
    return CourseFigure(figure)


def _as_json(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())


def _summary(figure: go.Figure) -> str:
    title = figure.layout.title.text or "Chart"
    kinds = sorted({trace.type for trace in figure.data})
    return f"{title.replace('<br>', ' ')} ({', '.join(kinds) or 'empty'} chart)"
