// Card-sort view. The model holds cards, categories and placements; Python computes
// feedback, so no answer key ever reaches this file.
//
// Three complete ways to move a card: drag its handle, pick from its <select>, or
// press ArrowLeft/ArrowRight on the focused handle. The DOM is updated in place (never
// redrawn) so keyboard focus survives every change.

const UNPLACED = "";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function render({ model, el: host }) {
  const root = el("div", { class: "prs-root" });
  // JupyterLab's command mode would otherwise take arrow keys, A, X, J, K from a
  // focused <select> inside an output (ipywidgets #3912).
  root.addEventListener("keydown", (event) => event.stopPropagation());

  const title = el("p", { class: "prs-title" });
  const notice = el("p", { class: "prs-notice", role: "alert" });
  const status = el("div", { class: "prs-status", role: "status", "aria-live": "polite" });
  const board = el("div", { class: "prs-board" });
  const toolbar = el("div", { class: "prs-toolbar" });
  const check = el("button", { type: "button", class: "prs-check" }, "Check my sort");
  const reset = el("button", { type: "button", class: "prs-reset" }, "Start again");
  const score = el("span", { class: "prs-score", "aria-live": "polite" });
  toolbar.append(check, reset, score);
  root.append(title, notice, board, toolbar, status);
  host.append(root);

  const columns = new Map(); // category id ("" for unplaced) -> list element
  const cards = new Map(); // card id -> {item, select, feedback}

  function categories() {
    return [{ id: UNPLACED, label: "Not placed yet" }, ...model.get("categories")];
  }

  function labelOf(categoryId) {
    const found = categories().find((c) => c.id === categoryId);
    return found ? found.label : categoryId;
  }

  function announce(text) {
    // Clearing first makes screen readers repeat an identical message.
    status.textContent = "";
    requestAnimationFrame(() => { status.textContent = text; });
  }

  function place(cardId, categoryId, how) {
    const placements = { ...model.get("placements") };
    placements[cardId] = categoryId === UNPLACED ? null : categoryId;
    model.set("placements", placements);
    model.save_changes();
    const text = model.get("cards").find((c) => c.id === cardId)?.text ?? cardId;
    announce(`"${text}" moved to ${labelOf(categoryId)}${how ? ` (${how})` : ""}.`);
  }

  function buildColumns() {
    board.replaceChildren();
    columns.clear();
    for (const category of categories()) {
      const column = el("section", {
        class: "prs-column",
        "data-category": category.id,
        "aria-label": category.label,
      });
      const heading = el("h4", { class: "prs-heading" }, category.label);
      const list = el("ul", { class: "prs-list", "data-category": category.id });
      column.addEventListener("dragover", (event) => {
        event.preventDefault();
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
      board.append(column);
      columns.set(category.id, list);
    }
  }

  function buildCard(card) {
    const item = el("li", { class: "prs-card", "data-card": card.id });
    const handle = el("button", {
      type: "button",
      class: "prs-handle",
      draggable: "true",
      "aria-label": `Move "${card.text}": drag, or press the left and right arrow keys`,
      title: "Drag to a column, or use the arrow keys",
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
    const text = el("span", { class: "prs-text", id: `prs-${model.model_id ?? "w"}-${card.id}` }, card.text);
    const select = el("select", { class: "prs-select", "aria-label": `Role for "${card.text}"` });
    select.addEventListener("change", () => place(card.id, select.value, "chosen"));
    const feedback = el("p", { class: "prs-feedback" });
    item.append(handle, text, select, feedback);
    cards.set(card.id, { item, select, feedback });
  }

  function fillSelects() {
    for (const { select } of cards.values()) {
      select.replaceChildren(...categories().map((c) => el("option", { value: c.id }, c.label)));
    }
  }

  function update() {
    const placements = model.get("placements");
    const feedback = model.get("feedback");
    const focused = root.contains(document.activeElement) ? document.activeElement : null;
    for (const [cardId, parts] of cards) {
      const target = columns.get(placements[cardId] ?? UNPLACED) ?? columns.get(UNPLACED);
      if (parts.item.parentElement !== target) target.append(parts.item);
      parts.select.value = placements[cardId] ?? UNPLACED;
      const verdict = feedback[cardId];
      parts.item.classList.toggle("prs-right", verdict?.correct === true);
      parts.item.classList.toggle("prs-wrong", verdict?.correct === false);
      parts.feedback.textContent = verdict
        ? `${verdict.correct ? "✓ Right." : "✗ Not quite."} ${verdict.explanation}`
        : "";
    }
    // Moving a node blurs it in some browsers: give focus back to what had it.
    if (focused && document.activeElement !== focused && root.contains(focused)) focused.focus();
    const count = Object.values(placements).filter((v) => v !== null).length;
    title.textContent = `${count} of ${cards.size} cards placed`;
    score.textContent = model.get("score");
    notice.textContent = model.get("message");
    notice.hidden = !model.get("message");
    check.hidden = model.get("mode") !== "practice";
  }

  function rebuild() {
    buildColumns();
    cards.clear();
    for (const card of model.get("cards")) buildCard(card);
    fillSelects();
    update();
  }

  check.addEventListener("click", () => {
    model.send({ action: "check" });
  });
  reset.addEventListener("click", () => {
    model.send({ action: "reset" });
    announce("All cards are back in Not placed yet.");
  });

  model.on("change:cards", rebuild);
  model.on("change:categories", rebuild);
  model.on("change:placements", update);
  model.on("change:feedback", update);
  model.on("change:score", update);
  model.on("change:message", update);
  model.on("change:mode", update);
  rebuild();
  root.dataset.ready = "true";
}

export default { render };
