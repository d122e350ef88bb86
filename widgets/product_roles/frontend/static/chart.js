// @ts-check
// Chart view: draws a plotly figure in the colours of JupyterLab's current theme,
// redraws it when the theme changes, and lays it out for the width it is given.
//
// plotly.js comes from the kernel once per page (the plotly package ships it), so
// nothing is fetched from the network and no copy lands in the notebook's metadata.

/** @import { AnyModel, AnyWidget, RenderProps } from "@anywidget/types" */

// The figure is plotly JSON as Python's plotly writes it, passed to plotly.js untouched
// except for the layout keys below: these types name what this file reads or sets, and
// leave the rest of plotly's schema open (unknown).

/**
 * @typedef {{ text?: string, [key: string]: unknown }} TitleObject
 * @typedef {string | TitleObject} Title
 * @typedef {{ title?: Title, [key: string]: unknown }} Axis
 * @typedef {{ t?: number, b?: number, [key: string]: unknown }} Margin
 */

/**
 * @typedef {{
 *   title?: Title, height?: number, width?: number, autosize?: boolean,
 *   showlegend?: boolean, margin?: Margin, legend?: Record<string, unknown>,
 *   xaxis?: Axis, yaxis?: Axis, template?: unknown, [key: string]: unknown,
 * }} Layout
 * @typedef {{
 *   type?: string, orientation?: string, x?: unknown[], y?: unknown[], [key: string]: unknown,
 * }} Trace
 * @typedef {{ data?: Trace[], layout?: Layout, config?: Record<string, unknown> }} Figure
 */

/**
 * The synced traits of ``ChartView`` (``product_roles/charts/view.py``); its ``summary``
 * is not synced.
 *
 * @typedef {object} ChartModel
 * @property {Figure} figure The figure as plotly JSON (data, layout).
 * @property {number} revision Bumped on each redraw from Python.
 */

/**
 * What this view asks of Python (``ChartView._handle_message``): the plotly.js bundle,
 * which comes back as a message of kind "plotly.js" with the code as its one buffer.
 *
 * @typedef {{ action: "plotly.js" }} ChartRequest
 */

/**
 * The part of plotly.js's API (the global ``Plotly`` its bundle defines) this view calls.
 *
 * @typedef {object} PlotlyAPI
 * @property {(
 *   root: HTMLElement, data: Trace[], layout: Layout, config: Record<string, unknown>,
 * ) => Promise<unknown>} react
 * @property {(root: HTMLElement) => void} purge
 */

/**
 * The window, with what this file and plotly.js's bundle leave on it.
 *
 * @typedef {Window & { [PLOTLY]?: Promise<PlotlyAPI> | undefined, Plotly?: PlotlyAPI }} Page
 */

/**
 * The element plotly draws in, with the measurements plotly keeps on it. ``_fullLayout``
 * is plotly's private state, in no public type: only the plot area's width is read.
 *
 * @typedef {HTMLDivElement & { _fullLayout?: { _size?: { w?: number } } }} PlotElement
 */

const PLOTLY = Symbol.for("product-roles.plotly");
const TRANSPARENT = "rgba(0,0,0,0)";
const NARROW = 640; // px: below this, legends go under the plot and text wraps sooner
const TICK_GAP = 8; // px kept clear between neighbouring category labels
const page = /** @type {Page} */ (window);

/**
 * @param {string} name
 * @param {string} fallback
 * @returns {string}
 */
function cssColour(name, fallback) {
  // Resolve a CSS variable to rgb() through a probe, as plotly needs a plain colour.
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  if (!value) return fallback;
  const probe = document.createElement("span");
  probe.style.color = value;
  probe.style.display = "none";
  document.body.append(probe);
  const resolved = getComputedStyle(probe).color;
  probe.remove();
  return resolved || fallback;
}

function theme() {
  const fg = cssColour("--jp-ui-font-color1", "rgb(33,33,33)");
  const muted = cssColour("--jp-ui-font-color2", "rgb(97,97,97)");
  const grid = cssColour("--jp-border-color2", "rgb(224,224,224)");
  const line = cssColour("--jp-border-color1", "rgb(189,189,189)");
  const paper = cssColour("--jp-layout-color0", "rgb(255,255,255)");
  const font = getComputedStyle(document.body).getPropertyValue("--jp-ui-font-family").trim();
  const axis = {
    gridcolor: grid, linecolor: line, zerolinecolor: line, automargin: true,
    tickfont: { color: fg }, title: { font: { color: fg } },
  };
  return {
    key: [fg, grid, paper].join("|"),
    fg,
    template: {
      data: {
        sankey: [{ textfont: { color: fg } }],
        bar: [{ textfont: { color: fg }, outsidetextfont: { color: fg } }],
      },
      layout: {
        paper_bgcolor: TRANSPARENT,
        plot_bgcolor: TRANSPARENT,
        font: { color: fg, family: font || undefined },
        title: { font: { color: fg } },
        legend: { bgcolor: TRANSPARENT, font: { color: fg }, title: { font: { color: muted } } },
        xaxis: axis,
        yaxis: axis,
        hoverlabel: { bgcolor: paper, font: { color: fg }, bordercolor: line },
        colorway: [
          "#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D", "#72B7B2", "#E45756",
        ],
      },
    },
  };
}

/**
 * @param {string} text
 * @param {number} width
 * @param {number} fontSize
 * @returns {string}
 */
function wrap(text, width, fontSize) {
  // Break a title at spaces so that no line is wider than the chart; plotly does not.
  if (!text) return text;
  const most = Math.max(6, Math.floor(width / (fontSize * 0.56)));
  return String(text)
    .split("<br>")
    .map((line) => {
      if (line.replace(/<[^>]+>/g, "").length <= most) return line;
      /** @type {string[]} */
      const out = [];
      let current = "";
      for (const word of line.split(" ")) {
        if (current && (current + " " + word).replace(/<[^>]+>/g, "").length > most) {
          out.push(current);
          current = word;
        } else {
          current = current ? `${current} ${word}` : word;
        }
      }
      if (current) out.push(current);
      return out.join("<br>");
    })
    .join("<br>");
}

/** @param {Title | undefined} title */
function titleText(title) {
  return typeof title === "string" ? title : title?.text;
}

/**
 * @param {Figure} figure
 * @param {number} width
 * @param {ReturnType<typeof theme>} colours
 * @param {number | undefined} plotArea
 * @returns {Layout}
 */
function laidOut(figure, width, colours, plotArea) {
  // A copy of the figure's layout fitted to `width` and coloured for the theme.
  const layout = structuredClone(figure.layout ?? {});
  layout.template = colours.template;
  layout.autosize = true;
  delete layout.width;
  const narrow = width < NARROW;
  const titleSize = narrow ? 14 : 17;
  const title = titleText(layout.title);
  if (title) {
    const text = wrap(title, width - 20, titleSize);
    layout.title = {
      ...(typeof layout.title === "object" ? layout.title : {}),
      text,
      font: { size: titleSize },
      x: 0.01,
      xanchor: "left",
    };
    const lines = text.split("<br>").length;
    layout.margin = { ...(layout.margin ?? {}) };
    layout.margin.t = Math.max(layout.margin.t ?? 0, 30 + lines * (titleSize + 6));
  }
  for (const key of Object.keys(layout)) {
    if (!/^[xy]axis\d*$/.test(key)) continue;
    const axis = /** @type {Axis} */ (layout[key]); // the key names an axis
    const text = titleText(axis.title);
    if (text) {
      // An axis title is centred on the plot area, which tick labels can narrow to
      // about half the chart.
      const room = key.startsWith("x")
        ? (plotArea ?? Math.min(width - 80, width * 0.55))
        : (layout.height ?? 450) - 100;
      axis.title = { ...(typeof axis.title === "object" ? axis.title : {}), text: wrap(text, room, 13) };
    }
  }
  // Category labels wrap instead of turning vertical.
  if (narrow) {
    layout.xaxis = { ...(layout.xaxis ?? {}), tickangle: 0, tickfont: { size: 10 } };
    /** @type {Set<string>} */
    const cats = new Set();
    for (const trace of figure.data ?? []) {
      if ((trace.type ?? "scatter") === "bar" && trace.orientation !== "h") {
        for (const x of trace.x ?? []) if (typeof x === "string") cats.add(x);
      }
    }
    if (cats.size) {
      // The plot area is what the last draw measured, or a guess before the first.
      // Each label keeps a gap to its neighbours: the width per character is an
      // estimate, and a label filling its whole slot can touch the next one.
      const each = Math.max(30, (plotArea ?? width - 100) / cats.size) - TICK_GAP;
      layout.xaxis.tickmode = "array";
      layout.xaxis.tickvals = [...cats];
      // A word too long for its slot cannot wrap: the labels' size comes down instead.
      const longest = Math.max(...[...cats].flatMap((c) => c.split(" ").map((w) => w.length)));
      const size = Math.max(8, Math.min(11, Math.floor(each / (longest * 0.62))));
      layout.xaxis.tickfont = { size };
      layout.xaxis.ticktext = [...cats].map((c) => wrap(c, each, size));
    }
    // Long row labels of horizontal bars wrap into at most about a third of the width.
    /** @type {Set<string>} */
    const rows = new Set();
    for (const trace of figure.data ?? []) {
      if ((trace.type ?? "scatter") === "bar" && trace.orientation === "h") {
        for (const y of trace.y ?? []) if (typeof y === "string") rows.add(y);
      }
    }
    if (rows.size) {
      layout.yaxis = { ...(layout.yaxis ?? {}), tickfont: { size: 10 }, tickmode: "array" };
      layout.yaxis.tickvals = [...rows];
      layout.yaxis.ticktext = [...rows].map((r) => wrap(r.replaceAll("<br>", " "), width * 0.34, 10));
    }
    if (layout.showlegend !== false) {
      layout.legend = { ...(layout.legend ?? {}), orientation: "h", x: 0, y: -0.25, yanchor: "top" };
      layout.margin = { ...(layout.margin ?? {}), b: Math.max(layout.margin?.b ?? 0, 90) };
    }
  }
  return layout;
}

/**
 * @param {AnyModel<ChartModel>} model
 * @returns {Promise<PlotlyAPI>}
 */
function loadPlotly(model) {
  // One copy of plotly.js per page, asked of the kernel the first time.
  if (page[PLOTLY]) return page[PLOTLY];
  const loading = new Promise((resolve, reject) => {
    /**
     * @param {{ kind?: unknown } | null | undefined} message
     * @param {DataView<ArrayBuffer>[] | undefined} buffers A comm's buffers come over
     *   the websocket as plain ArrayBuffers, never shared memory.
     */
    const onMessage = (message, buffers) => {
      const code = buffers?.[0];
      if (!message || message.kind !== "plotly.js" || !code) return;
      model.off("msg:custom", onMessage);
      const blob = new Blob([code], { type: "text/javascript" });
      const script = document.createElement("script");
      script.src = URL.createObjectURL(blob);
      // The bundle defines the global Plotly as it runs.
      script.onload = () => resolve(/** @type {PlotlyAPI} */ (page.Plotly));
      script.onerror = () => reject(new Error("plotly.js did not load"));
      document.head.append(script);
    };
    model.on("msg:custom", onMessage);
    model.send(/** @satisfies {ChartRequest} */ ({ action: "plotly.js" }));
  });
  page[PLOTLY] = loading;
  loading.catch(() => { page[PLOTLY] = undefined; });
  return loading;
}

/** @param {RenderProps<ChartModel>} props */
function render({ model, el: host }) {
  const root = document.createElement("div");
  root.className = "prc-root";
  const plot = /** @type {PlotElement} */ (document.createElement("div"));
  plot.className = "prc-plot";
  root.append(plot);
  host.append(root);
  /** @type {PlotlyAPI | null} */
  let Plotly = null;
  let drawn = "";
  /** @type {number | null} the animation frame a draw waits for */
  let pending = null;
  let onScreen = false;

  async function draw() {
    if (!Plotly || !root.isConnected) return;
    // A cell far off screen is not laid out (JupyterLab's content-visibility), and
    // plotly draws nothing there: draw it when it comes into view instead.
    if (!onScreen) return;
    const width = Math.round(root.getBoundingClientRect().width);
    if (width <= 0) return;
    const figure = model.get("figure");
    const colours = theme();
    const light = document.body.dataset.jpThemeLight ?? "";
    const key = `${width}|${colours.key}|${light}|${model.get("revision")}`;
    if (key === drawn) return;
    drawn = key;
    const config = { responsive: true, displaylogo: false, ...(figure.config ?? {}) };
    /** @type {number | undefined} */
    let area;
    // Twice at most: once with a guess at the plot area, again with the area measured.
    for (let pass = 0; pass < 2; pass++) {
      await Plotly.react(plot, figure.data ?? [], laidOut(figure, width, colours, area), config);
      const measured = plot._fullLayout?._size?.w;
      if (!measured || (area !== undefined && Math.abs(measured - area) < 8)) break;
      area = measured;
    }
    if (plot.getBoundingClientRect().height === 0) { drawn = ""; return; }
    root.dataset.theme = colours.key;
    root.dataset.light = light;
    root.dataset.width = String(width);
    root.dataset.ready = "true";
  }

  function reserve() {
    // Hold the chart's height before it is drawn, so the page does not jump.
    plot.style.minHeight = `${model.get("figure")?.layout?.height ?? 450}px`;
  }

  function soon() {
    // Coalesce bursts (a resize, a theme change, a redraw from Python) into one draw.
    if (pending) return;
    pending = requestAnimationFrame(() => { pending = null; draw(); });
  }

  // JupyterLab marks the theme on <body>; its stylesheet swaps a moment later, so
  // look again shortly after the mark changes.
  const themeWatch = new MutationObserver(() => {
    for (const delay of [0, 150, 500, 1500]) setTimeout(soon, delay);
  });
  themeWatch.observe(document.body, {
    attributes: true,
    attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"],
  });
  const sizeWatch = new ResizeObserver(soon);
  sizeWatch.observe(root);
  const viewWatch = new IntersectionObserver((entries) => {
    onScreen = entries.at(-1)?.isIntersecting ?? false; // the latest of the changes
    if (onScreen) soon();
  });
  viewWatch.observe(root);
  reserve();
  model.on("change:figure", () => { reserve(); soon(); });
  model.on("change:revision", soon);

  loadPlotly(model)
    .then((loaded) => { Plotly = loaded; soon(); })
    .catch((/** @type {Error} */ err) => {
      root.textContent = `The chart could not be drawn: ${err.message}`;
    });

  return () => {
    themeWatch.disconnect();
    sizeWatch.disconnect();
    viewWatch.disconnect();
    if (Plotly) Plotly.purge(plot);
  };
}

export default /** @satisfies {AnyWidget<ChartModel>} */ ({ render });
