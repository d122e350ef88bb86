// @ts-check
// Keeps JupyterLab's and Notebook 7's single-key shortcuts away from the course's
// form controls, so a focused role list, handle or option takes its own keys.
//
// Why this is needed: lumino (the toolkit under both front ends) matches every keydown
// against the notebook's command-mode bindings, whose selector ends in ":focus", so a
// focused <select> inside an output matches ArrowUp/ArrowDown (move to the next cell),
// A, B, J, K, D D and the rest. JupyterLab's own "this element takes typing" check
// (the `jp-mod-readWrite` class) looks for `:read-write`, which text inputs match and a
// <select>, a radio button or a button do not. Lumino then runs the command and calls
// preventDefault(), which cancels the list's own response to the key. JupyterLab 4
// listens in the bubbling phase, so a stopPropagation() at the widget root used to be
// enough there; Notebook 7 listens in the capture phase on `document`, before any
// element sees the event, so it was not. Lumino skips an element that carries
// `data-lm-suppress-shortcuts` while it walks up from the event's target, and the
// target itself is the element that matches ":focus": the attribute has to be on the
// focused control, not on the widget root.
//
// So one capture-phase listener on `window` (which runs before `document`'s) puts the
// attribute on the focused control for the duration of a key the control uses itself,
// in both front ends and for both the anywidget view and the core-ipywidgets fallback.
// Keys with Ctrl, Alt or Meta, Shift+Enter, Tab and Escape still reach the notebook,
// so saving, running a cell and leaving the widget work as everywhere else.
(() => {
  const GUARDED = ".prs-root, .prs-core, .prq-root, .prq-core";
  const FLAG = "data-lm-suppress-shortcuts";
  const PASSED_ON = new Set(["Tab", "Escape"]);
  const marker = Symbol.for("product-roles.keyguard");
  // The window, with the mark this script leaves on it.
  const page = /** @type {Window & { [marker]?: boolean }} */ (window);
  if (page[marker]) return; // one listener per page, however many widgets load this

  /** @param {KeyboardEvent} event */
  function controlOwns(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return false;
    if (event.key === "Enter" && event.shiftKey) return false;
    return !PASSED_ON.has(event.key);
  }

  /** @param {KeyboardEvent} event */
  function guard(event) {
    const target = event.target;
    if (!(target instanceof Element) || !target.closest(GUARDED)) return;
    if (!controlOwns(event) || target.hasAttribute(FLAG)) return;
    target.setAttribute(FLAG, "");
    // A task, not a microtask: microtasks run between listeners of this very event.
    setTimeout(() => target.removeAttribute(FLAG), 0);
  }

  window.addEventListener("keydown", guard, true);
  page[marker] = true;
})();
