// Card-sort view. The model holds cards, categories, placements and confidence marks;
// Python computes feedback, so no answer key ever reaches this file.
//
// Three complete ways to move a card: drag its handle to a column, pick from its
// <select>, or press ArrowLeft/ArrowRight on the focused handle. The DOM is updated in
// place (never redrawn) so keyboard focus survives every change, whichever side made it.

const UNPLACED = "";
const UNPLACED_LABEL = "Not placed yet";
let viewCount = 0;

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

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

  const columns = new Map(); // category id ("" for unplaced) -> list element
  const cards = new Map(); // card id -> {item, select, sure, feedback}
  const pendingHow = new Map(); // card id -> how this view moved it, for the announcement
  let shown = { ...model.get("placements") }; // what the DOM shows, to find what moved

  function categories() {
    return [{ id: UNPLACED, label: UNPLACED_LABEL }, ...model.get("categories")];
  }

  function labelOf(categoryId) {
    const found = categories().find((c) => c.id === (categoryId ?? UNPLACED));
    return found ? found.label : categoryId;
  }

  function textOf(cardId) {
    return model.get("cards").find((c) => c.id === cardId)?.text ?? cardId;
  }

  function announce(text) {
    // Clearing first makes screen readers repeat an identical message.
    status.textContent = "";
    requestAnimationFrame(() => { status.textContent = text; });
  }

  function place(cardId, categoryId, how) {
    const placements = { ...model.get("placements") };
    const target = categoryId === UNPLACED ? null : categoryId;
    if ((placements[cardId] ?? null) === target) return;
    placements[cardId] = target;
    pendingHow.set(cardId, how);
    model.set("placements", placements);
    model.save_changes();
  }

  function mark(cardId, value) {
    const marks = { ...model.get("confidence") };
    if (value) marks[cardId] = value; else delete marks[cardId];
    model.set("confidence", marks);
    model.save_changes();
    announce(value ? `"${textOf(cardId)}" marked ${value}.` : `Mark cleared on "${textOf(cardId)}".`);
  }

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
      event.dataTransfer.dropEffect = "move";
      column.classList.add("prs-over");
    });
    column.addEventListener("dragleave", () => column.classList.remove("prs-over"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("prs-over");
      const cardId = event.dataTransfer.getData("text/plain");
      if (cards.has(cardId)) place(cardId, category.id, "dragged");
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
      event.dataTransfer.setData("text/plain", card.id);
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setDragImage(item, 12, 12);
      item.classList.add("prs-dragging");
    });
    handle.addEventListener("dragend", () => item.classList.remove("prs-dragging"));
    handle.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      event.preventDefault();
      const ids = categories().map((c) => c.id);
      const here = ids.indexOf(model.get("placements")[card.id] ?? UNPLACED);
      const step = event.key === "ArrowRight" ? 1 : -1;
      place(card.id, ids[(here + step + ids.length) % ids.length], "keyboard");
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
    sure.addEventListener("change", () => mark(card.id, sure.value));
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

  function verdictLine(verdict) {
    if (verdict.correct) return "✓ Right.";
    const sure = verdict.confidence === "sure" ? " You were sure: worth a second look." : "";
    const where = verdict.expected?.length
      ? ` It belongs in ${verdict.expected.join(" or ")}.`
      : "";
    return `✗ Not quite.${where}${sure}`;
  }

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
    const focused = root.contains(document.activeElement) ? document.activeElement : null;
    for (const [cardId, parts] of cards) {
      const target = columns.get(placements[cardId] ?? UNPLACED) ?? columns.get(UNPLACED);
      if (parts.item.parentElement !== target) target.append(parts.item);
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

  check.addEventListener("click", () => model.send({ action: "check" }));
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
    model.send({ action: "reset" });
    undo.focus();
  });
  confirmNo.addEventListener("click", () => {
    confirmBar.hidden = true;
    reset.focus();
    announce("Your cards stay where they are.");
  });
  undo.addEventListener("click", () => {
    model.send({ action: "undo" });
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
  for (const name of [
    "feedback", "confidence", "message", "mode", "can_check", "prompt", "ask_confidence",
    "can_undo", "undo_note",
  ]) {
    model.on(`change:${name}`, update);
  }
  rebuild();
  root.dataset.ready = "true";
}

export default { render };
