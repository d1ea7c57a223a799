// Progress without reloading the page (a screen reader keeps its place; the live region reads the change);
// once the work has finished, the page reloads to show the result or the error. Used by the letter batch's
// page and the evidence bundle's: each marks its live region with data-live-progress and data-finished.
const region = document.querySelector("[data-live-progress]")
const poll = async () => {
  const response = await fetch(window.location.href, { headers: { Accept: "text/html" } })
  if (!response.ok) return
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(region.id)
  if (!fresh) return
  if (fresh.dataset.finished === "yes") { window.location.reload(); return }
  region.innerHTML = fresh.innerHTML
  setTimeout(poll, 3000)
}
if (region) setTimeout(poll, 3000)
