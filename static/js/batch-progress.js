// Progress without reloading the page (a screen reader keeps its place; the live region reads the change);
// once the batch has finished, the page reloads to show the PDF or the error.
const region = document.getElementById("batch-live")
const poll = async () => {
  const response = await fetch(window.location.href, { headers: { Accept: "text/html" } })
  if (!response.ok) return
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("batch-live")
  if (!fresh) return
  if (fresh.dataset.finished === "yes") { window.location.reload(); return }
  region.innerHTML = fresh.innerHTML
  setTimeout(poll, 3000)
}
setTimeout(poll, 3000)
