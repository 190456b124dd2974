// The live session page: the counters ("18 of 25 in, 3 late, 4 not yet"), the
// "not checked in" filter, notes that changed, and students added to the roster meanwhile,
// all from the status that session.js polls (its "session:status" event).
const root = document.getElementById("session");
const onlyMissing = document.querySelector("[data-only-missing]");
const body = document.querySelector("table.attendance tbody");
let fetchingRows = false;

function count(rows) {
  const c = { total: rows.length, in: 0, late: 0, missing: 0, absent: 0, excused: 0 };
  for (const row of rows) {
    if (row.status === "present" || row.status === "late") c.in += 1;
    if (row.status === "late") c.late += 1;
    if (row.status === "absent") c.absent += 1;
    if (row.status === "excused") c.excused += 1;
    if (!row.status) c.missing += 1;
  }
  return c;
}

function showCounts(c) {
  for (const key of ["in", "total", "late", "missing"]) {
    const cell = document.querySelector(`[data-count="${key}"]`);
    if (cell && cell.textContent !== String(c[key])) cell.textContent = c[key];
  }
  const extra = [c.absent ? `, ${c.absent} absent` : "", c.excused ? `, ${c.excused} excused` : ""];
  const cell = document.querySelector("[data-count-extra]");
  if (cell && cell.textContent !== extra.join("")) cell.textContent = extra.join("");
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
  showCounts(count(rows));
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
