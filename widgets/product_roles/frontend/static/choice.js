// @ts-check
// Multiple-choice view. Python holds the key and the feedback; this file only shows
// the options and asks Python to check the chosen one.

/** @import { AnyWidget, RenderProps } from "@anywidget/types" */

/**
 * The synced traits of ``MultipleChoice`` (``product_roles/ui/choice.py``).
 *
 * @typedef {object} ChoiceModel
 * @property {string} prompt The question, as shown.
 * @property {string[]} options The option texts, as shown.
 * @property {number | null} choice Index of the chosen option, or null before a choice.
 * @property {"" | "none" | "right" | "wrong"} verdict The last check's verdict.
 * @property {string} feedback The last check's explanation.
 */

/**
 * What this view asks of Python (``MultipleChoice._handle_message``).
 *
 * @typedef {{ action: "check" }} ChoiceRequest
 */

/** @param {RenderProps<ChoiceModel>} props */
function render({ model, el: host }) {
  const root = document.createElement("div");
  root.className = "prq-root";
  // Arrow keys on the radio group are kept from the notebook's shortcuts by
  // keyguard.js, which anywidget loads in front of this module.

  const fieldset = document.createElement("fieldset");
  const legend = document.createElement("legend");
  const list = document.createElement("div");
  list.className = "prq-options";
  fieldset.append(legend, list);

  const check = document.createElement("button");
  check.type = "button";
  check.className = "prq-check";
  check.textContent = "Check my answer";
  const feedback = document.createElement("p");
  feedback.className = "prq-feedback";
  feedback.setAttribute("role", "status");
  root.append(fieldset, check, feedback);
  host.append(root);

  // A name per widget instance keeps two questions on one page from sharing a group.
  const group = `prq-${Math.random().toString(36).slice(2)}`;
  /** @type {HTMLInputElement[]} */
  const inputs = [];

  function build() {
    legend.textContent = model.get("prompt");
    list.replaceChildren();
    inputs.length = 0;
    model.get("options").forEach((text, index) => {
      const label = document.createElement("label");
      label.className = "prq-option";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = group;
      input.value = String(index);
      input.addEventListener("change", () => {
        model.set("choice", index);
        model.save_changes();
      });
      const span = document.createElement("span");
      span.textContent = text;
      label.append(input, span);
      list.append(label);
      inputs.push(input);
    });
    update();
  }

  function update() {
    const choice = model.get("choice");
    inputs.forEach((input, index) => { input.checked = index === choice; });
    feedback.textContent = model.get("feedback");
    root.dataset.verdict = model.get("verdict");
  }

  check.addEventListener("click", () => {
    model.send(/** @satisfies {ChoiceRequest} */ ({ action: "check" }));
  });
  model.on("change:prompt", build);
  model.on("change:options", build);
  model.on("change:choice", update);
  model.on("change:feedback", update);
  model.on("change:verdict", update);
  build();
  root.dataset.ready = "true";
}

export default /** @satisfies {AnyWidget<ChoiceModel>} */ ({ render });
