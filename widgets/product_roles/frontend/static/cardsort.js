// @ts-check
// Card-sort view. The model holds cards, categories, placements and confidence marks;
// Python computes feedback, so no answer key ever reaches this file.
//
// Three complete ways to move a card: drag its handle to a column, pick from its
// <select>, or press ArrowLeft/ArrowRight on the focused handle. The DOM is updated in
// place (never redrawn) so keyboard focus survives every change, whichever side made it.

/** @import { AnyWidget, RenderProps } from "@anywidget/types" */

/**
 * @typedef {{ id: string, text: string }} Card
 * @typedef {{ id: string, label: string }} Category
 * @typedef {"sure" | "unsure"} Mark
 * @typedef {"dragged" | "chosen" | "keyboard"} How
 */

/**
 * One card's result after a check (``SortState.check``).
 *
 * @typedef {object} Verdict
 * @property {boolean} correct Whether the card is in an accepted column.
 * @property {string} explanation Why the card belongs where it does ("" when none is given).
 * @property {string[]} [expected] The accepted columns' labels, for a card in the wrong one.
 * @property {Mark} [confidence] The learner's mark on the card, if any.
 */

/**
 * The synced traits of a card sort (``SortState`` in ``product_roles/ui/sortstate.py``).
 *
 * @typedef {object} CardSortModel
 * @property {string} exercise Exercise id; names the answers file.
 * @property {string} prompt Instructions shown above the cards.
 * @property {Card[]} cards The cards, in display order.
 * @property {Category[]} categories The columns.
 * @property {Record<string, string | null>} placements Card id to category id, or null
 *   for a card not placed yet.
 * @property {boolean} ask_confidence Whether each card shows a sure/unsure mark.
 * @property {Record<string, Mark>} confidence The marked cards' marks.
 * @property {"practice" | "assessment"} mode
 * @property {boolean} can_check Whether a Check button is offered.
 * @property {Record<string, Verdict>} feedback After a check in practice mode, the placed
 *   cards' verdicts.
 * @property {string} score The last check's score, in words.
 * @property {string} message A notice for the learner, such as a corrupt file.
 * @property {boolean} can_undo Whether the last Start again can be undone.
 * @property {string} undo_note What Start again did and where the old sort is.
 */

/**
 * What this view asks of Python (``SortState._handle_action``).
 *
 * @typedef {{ action: "check" | "reset" | "undo" }} SortRequest
 */

/**
 * The parts of one card's list item that change after it is built.
 *
 * @typedef {object} CardParts
 * @property {HTMLLIElement} item
 * @property {HTMLSelectElement} select
 * @property {HTMLSelectElement} sure
 * @property {HTMLParagraphElement} feedback
 * @property {Verdict | undefined} [shown] The verdict the item shows now.
 */

const UNPLACED = "";
const UNPLACED_LABEL = "Not placed yet";
let viewCount = 0;

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attrs]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {RenderProps<CardSortModel>} props */
function render({ model, el: host }) {
  // anywidget may load this module afresh for each widget, so a counter alone could
  // repeat across widgets: the random part keeps element ids unique in the page.
  const prefix = `prs${++viewCount}-${Math.random().toString(36).slice(2, 8)}`;
  const root = el("div", { class: "prs-root", role: "group", "aria-labelledby": `${prefix}-title` });
  // Keys pressed on the handle or a list are kept from the notebook's shortcuts by
  // keyguard.js, which anywidget loads in front of this module.

  const title = el("p", { class: "prs-title", id: `${prefix}-title` });
  const prompt = el("p", { class: "prs-prompt" });
  const notice = el("p", { class: "prs-notice", role: "alert" });
  const status = el("div", { class: "prs-status", role: "status", "aria-live": "polite" });
  const tray = el("div", { class: "prs-tray" });
  const board = el("div", { class: "prs-board" });
  const toolbar = el("div", { class: "prs-toolbar" });
  const check = el("button", { type: "button", class: "prs-check" }, "Check my sort");
  const reset = el("button", { type: "button", class: "prs-reset" }, "Start again");
  const score = el("span", { class: "prs-score" });
  toolbar.append(check, reset, score);
  // Start again asks first; afterwards Undo brings the sort back until the next move.
  const confirmBar = el("div", { class: "prs-confirm", role: "group", "aria-label": "Start again?" });
  const confirmText = el("span", { class: "prs-confirm-text" });
  const confirmYes = el("button", { type: "button", class: "prs-confirm-yes" }, "Yes, start again");
  const confirmNo = el("button", { type: "button", class: "prs-confirm-no" }, "Keep my cards");
  confirmBar.append(confirmText, confirmYes, confirmNo);
  confirmBar.hidden = true;
  const undoBar = el("div", { class: "prs-undo-bar" });
  const undoText = el("span", { class: "prs-undo-note" });
  const undo = el("button", { type: "button", class: "prs-undo" }, "Undo");
  undoBar.append(undoText, undo);
  root.append(title, prompt, notice, tray, board, toolbar, confirmBar, undoBar, status);
  host.append(root);

  /** @type {Map<string, HTMLUListElement>} category id ("" for unplaced) to its list */
  const columns = new Map();
  /** @type {Map<string, CardParts>} card id to its item's parts */
  const cards = new Map();
  /** @type {Map<string, How>} card id to how this view moved it, for the announcement */
  const pendingHow = new Map();
  let shown = { ...model.get("placements") }; // what the DOM shows, to find what moved

  /** @returns {[Category, ...Category[]]} the unplaced tray first, then the columns */
  function categories() {
    return [{ id: UNPLACED, label: UNPLACED_LABEL }, ...model.get("categories")];
  }

  /** @param {string | null} categoryId */
  function labelOf(categoryId) {
    const found = categories().find((c) => c.id === (categoryId ?? UNPLACED));
    return found ? found.label : categoryId;
  }

  /** @param {string} cardId */
  function textOf(cardId) {
    return model.get("cards").find((c) => c.id === cardId)?.text ?? cardId;
  }

  /** @param {string} text */
  function announce(text) {
    // Clearing first makes screen readers repeat an identical message.
    status.textContent = "";
    requestAnimationFrame(() => { status.textContent = text; });
  }

  /**
   * @param {string} cardId
   * @param {string} categoryId
   * @param {How} how
   */
  function place(cardId, categoryId, how) {
    const placements = { ...model.get("placements") };
    const target = categoryId === UNPLACED ? null : categoryId;
    if ((placements[cardId] ?? null) === target) return;
    placements[cardId] = target;
    pendingHow.set(cardId, how);
    model.set("placements", placements);
    model.save_changes();
  }

  /**
   * @param {string} cardId
   * @param {Mark | ""} value "" clears the mark.
   */
  function mark(cardId, value) {
    const marks = { ...model.get("confidence") };
    if (value) marks[cardId] = value; else delete marks[cardId];
    model.set("confidence", marks);
    model.save_changes();
    announce(value ? `"${textOf(cardId)}" marked ${value}.` : `Mark cleared on "${textOf(cardId)}".`);
  }

  /**
   * @param {Category} category
   * @param {number} index
   * @param {HTMLElement} parent
   */
  function buildColumn(category, index, parent) {
    const headingId = `${prefix}-col-${index}`;
    const column = el("section", {
      class: "prs-column",
      "data-category": category.id,
      "aria-labelledby": headingId,
    });
    const heading = el("h4", { class: "prs-heading", id: headingId }, category.label);
    const list = el("ul", { class: "prs-list", "data-category": category.id });
    column.addEventListener("dragover", (event) => {
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
      column.classList.add("prs-over");
    });
    column.addEventListener("dragleave", () => column.classList.remove("prs-over"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("prs-over");
      const cardId = event.dataTransfer?.getData("text/plain");
      if (cardId !== undefined && cards.has(cardId)) place(cardId, category.id, "dragged");
    });
    column.append(heading, list);
    parent.append(column);
    columns.set(category.id, list);
  }

  function buildColumns() {
    tray.replaceChildren();
    board.replaceChildren();
    columns.clear();
    const [unplaced, ...rest] = categories();
    buildColumn(unplaced, 0, tray);
    rest.forEach((category, index) => buildColumn(category, index + 1, board));
    board.style.setProperty("--prs-columns", String(rest.length));
  }

  /** @param {Card} card */
  function buildCard(card) {
    const textId = `${prefix}-card-${cards.size}`;
    const item = el("li", { class: "prs-card", "data-card": card.id });
    const handle = el("button", {
      type: "button",
      class: "prs-handle",
      draggable: "true",
      "aria-label": "Move: drag to a column, or press the left and right arrow keys",
      "aria-describedby": textId,
      title: "Drag to a column, or use the left and right arrow keys",
    }, "⠿");
    handle.addEventListener("dragstart", (event) => {
      const transfer = event.dataTransfer; // null only for a drag event made by a script
      if (transfer) {
        transfer.setData("text/plain", card.id);
        transfer.effectAllowed = "move";
        transfer.setDragImage(item, 12, 12);
      }
      item.classList.add("prs-dragging");
    });
    handle.addEventListener("dragend", () => item.classList.remove("prs-dragging"));
    handle.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      event.preventDefault();
      const ids = categories().map((c) => c.id);
      const here = ids.indexOf(model.get("placements")[card.id] ?? UNPLACED);
      const step = event.key === "ArrowRight" ? 1 : -1;
      const next = ids[(here + step + ids.length) % ids.length];
      if (next !== undefined) place(card.id, next, "keyboard");
    });
    const text = el("span", { class: "prs-text", id: textId }, card.text);
    const select = el("select", { class: "prs-select", "aria-label": "Role", "aria-describedby": textId });
    select.addEventListener("change", () => place(card.id, select.value, "chosen"));
    const sure = el("select", { class: "prs-sure", "aria-label": "How sure are you?", "aria-describedby": textId });
    sure.append(
      el("option", { value: "" }, "How sure?"),
      el("option", { value: "sure" }, "Sure"),
      el("option", { value: "unsure" }, "Unsure"),
    );
    // The list offers exactly these values.
    sure.addEventListener("change", () => mark(card.id, /** @type {Mark | ""} */ (sure.value)));
    const controls = el("div", { class: "prs-controls" });
    controls.append(select, sure);
    const feedback = el("p", { class: "prs-feedback" });
    item.append(handle, text, controls, feedback);
    cards.set(card.id, { item, select, sure, feedback });
  }

  function fillSelects() {
    for (const { select } of cards.values()) {
      select.replaceChildren(...categories().map((c) => el("option", { value: c.id }, c.label)));
    }
  }

  /** @param {Verdict} verdict */
  function verdictLine(verdict) {
    if (verdict.correct) return "✓ Right.";
    const sure = verdict.confidence === "sure" ? " You were sure: worth a second look." : "";
    const where = verdict.expected?.length
      ? ` It belongs in ${verdict.expected.join(" or ")}.`
      : "";
    return `✗ Not quite.${where}${sure}`;
  }

  /**
   * @param {HTMLElement} box
   * @param {Verdict | undefined} verdict
   */
  function showVerdict(box, verdict) {
    // One short line; the explanation waits behind "Why?" so a checked sort stays short.
    if (!verdict) { box.replaceChildren(); return; }
    const line = el("span", { class: "prs-verdict" }, verdictLine(verdict));
    box.replaceChildren(line);
    if (verdict.explanation) {
      const details = el("details", { class: "prs-why" });
      details.append(el("summary", {}, "Why?"), el("span", {}, verdict.explanation));
      box.append(" ", details);
    }
  }

  function update() {
    const placements = model.get("placements");
    const feedback = model.get("feedback");
    const marks = model.get("confidence");
    const askSure = model.get("ask_confidence");
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && root.contains(active) ? active : null;
    for (const [cardId, parts] of cards) {
      const target = columns.get(placements[cardId] ?? UNPLACED) ?? columns.get(UNPLACED);
      if (target && parts.item.parentElement !== target) target.append(parts.item);
      parts.select.value = placements[cardId] ?? UNPLACED;
      parts.sure.hidden = !askSure;
      parts.sure.value = marks[cardId] ?? "";
      const verdict = feedback[cardId];
      parts.item.classList.toggle("prs-right", verdict?.correct === true);
      parts.item.classList.toggle("prs-wrong", verdict?.correct === false);
      parts.item.classList.toggle(
        "prs-sure-wrong", verdict?.correct === false && verdict?.confidence === "sure",
      );
      if (parts.shown !== verdict) {
        showVerdict(parts.feedback, verdict);
        parts.shown = verdict;
      }
    }
    // Moving a node blurs it in some browsers: give focus back to what had it.
    if (focused && document.activeElement !== focused && root.contains(focused)) focused.focus();
    const count = Object.values(placements).filter((v) => v !== null).length;
    title.textContent = `${count} of ${cards.size} cards placed`;
    prompt.textContent = model.get("prompt");
    prompt.hidden = !model.get("prompt");
    score.textContent = model.get("score");
    notice.textContent = model.get("message");
    notice.hidden = !model.get("message");
    check.hidden = !model.get("can_check");
    undoBar.hidden = !model.get("can_undo");
    undoText.textContent = model.get("undo_note");
    if (count === 0 && !confirmBar.hidden) confirmBar.hidden = true;
  }

  function onPlacements() {
    // Announce every move, whether this view, another view or Python made it.
    const placements = model.get("placements");
    const moves = [];
    for (const cardId of cards.keys()) {
      const now = placements[cardId] ?? null;
      if ((shown[cardId] ?? null) === now) continue;
      const how = pendingHow.get(cardId);
      moves.push(`"${textOf(cardId)}" moved to ${labelOf(now)}${how ? ` (${how})` : ""}.`);
      pendingHow.delete(cardId);
    }
    shown = { ...placements };
    update();
    if (moves.length > 3) announce(`${moves.length} cards moved.`);
    else if (moves.length) announce(moves.join(" "));
  }

  function rebuild() {
    buildColumns();
    cards.clear();
    for (const card of model.get("cards")) buildCard(card);
    fillSelects();
    shown = { ...model.get("placements") };
    update();
  }

  /** @param {SortRequest["action"]} action */
  const ask = (action) => model.send({ action });

  check.addEventListener("click", () => ask("check"));
  reset.addEventListener("click", () => {
    const placed = Object.values(model.get("placements")).filter((v) => v !== null).length;
    const marked = Object.keys(model.get("confidence")).length;
    if (!placed && !marked) { announce("Nothing to start again: no card is placed yet."); return; }
    confirmText.textContent =
      `Put all ${placed} placed card${placed === 1 ? "" : "s"} back in the tray? ` +
      "A copy of your sort is kept, and Undo brings it back.";
    confirmBar.hidden = false;
    confirmNo.focus();
  });
  confirmYes.addEventListener("click", () => {
    confirmBar.hidden = true;
    ask("reset");
    undo.focus();
  });
  confirmNo.addEventListener("click", () => {
    confirmBar.hidden = true;
    reset.focus();
    announce("Your cards stay where they are.");
  });
  undo.addEventListener("click", () => {
    ask("undo");
    reset.focus();
    announce("Your sort is back.");
  });

  model.on("change:cards", rebuild);
  model.on("change:categories", rebuild);
  model.on("change:placements", onPlacements);
  model.on("change:score", () => {
    update();
    if (model.get("score")) announce(`Checked: ${model.get("score")}.`);
  });
  /** @type {(keyof CardSortModel)[]} */
  const shownByUpdate = [
    "feedback", "confidence", "message", "mode", "can_check", "prompt", "ask_confidence",
    "can_undo", "undo_note",
  ];
  for (const name of shownByUpdate) {
    model.on(`change:${name}`, update);
  }
  rebuild();
  root.dataset.ready = "true";
}

export default /** @satisfies {AnyWidget<CardSortModel>} */ ({ render });
