// "Select all" for a table of row checkboxes: added only when scripts run (progressive enhancement); without
// it every row's own labelled checkbox still works.
for (const table of document.querySelectorAll("table[data-select-all]")) {
  const cell = table.querySelector("[data-select-all-cell]")
  const rows = () => Array.from(table.querySelectorAll("input[data-select-row]"))
  if (!cell || rows().length === 0) continue
  cell.textContent = ""
  const wrapper = document.createElement("div")
  wrapper.className = "govuk-checkboxes govuk-checkboxes--small"
  const item = document.createElement("div")
  item.className = "govuk-checkboxes__item"
  const box = document.createElement("input")
  box.type = "checkbox"
  box.className = "govuk-checkboxes__input"
  box.id = "select-all"
  const label = document.createElement("label")
  label.className = "govuk-label govuk-checkboxes__label"
  label.htmlFor = box.id
  const words = document.createElement("span")
  words.className = "govuk-visually-hidden"
  words.textContent = "Select all on this page"
  label.append(words)
  item.append(box, label)
  wrapper.append(item)
  cell.append(wrapper)
  const sync = () => {
    const boxes = rows()
    const ticked = boxes.filter((b) => b.checked).length
    box.checked = ticked === boxes.length
    box.indeterminate = ticked > 0 && ticked < boxes.length
  }
  box.addEventListener("change", () => {
    for (const row of rows()) row.checked = box.checked
    sync()
  })
  for (const row of rows()) row.addEventListener("change", sync)
  sync()
}
