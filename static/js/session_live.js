// The live session page: the counters ("18 of 25 in, 3 late, 4 not yet", as the server
// rendered them), the "not checked in" filter, notes that changed, and students added to the
// roster meanwhile, all from the status that session.js polls (its "session:status" event).
const root = document.getElementById("session");
const onlyMissing = document.querySelector("[data-only-missing]");
const body = document.querySelector("table.attendance tbody");
let fetchingRows = false;

// The counters are computed by the server only: the poll brings them rendered.
function showCounts(html) {
  const cell = document.getElementById("live-counts");
  if (cell && html !== undefined && cell.innerHTML.trim() !== html) cell.innerHTML = html;
}

function applyFilter() {
  if (!onlyMissing || !body) return;
  for (const tr of body.querySelectorAll("tr[data-person]")) {
    tr.hidden = onlyMissing.checked && tr.dataset.status !== "";
  }
}

// Rows of students the page does not show yet: taken from a fresh copy of this page.
async function addNewRows(ids) {
  if (fetchingRows || !body) return;
  fetchingRows = true;
  try {
    const response = await fetch(window.location.pathname, { cache: "no-store" });
    if (response.ok) {
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of ids) {
        const row = page.getElementById(`person-${id}`);
        if (row && !document.getElementById(`person-${id}`)) body.append(document.adoptNode(row));
      }
    }
  } catch {
    // the next poll tries again
  }
  fetchingRows = false;
}

root.addEventListener("session:status", (event) => {
  const rows = event.detail.rows;
  showCounts(event.detail.counts_html);
  const missing = [];
  for (const row of rows) {
    const tr = document.getElementById(`person-${row.person}`);
    if (!tr) {
      missing.push(row.person);
      continue;
    }
    const note = tr.querySelector('[data-cell="note"]');
    if (note && note.textContent !== row.note) note.textContent = row.note;
  }
  if (missing.length) addNewRows(missing);
  applyFilter();
});

if (onlyMissing) onlyMissing.addEventListener("change", applyFilter);
