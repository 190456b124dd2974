// The live session page: polls the session's status every 1.5 s and updates each student's
// row in place, so check-ins at the kiosk appear without reloading.
const POLL_MS = 1500;

const root = document.getElementById("session");
const stateBadge = document.getElementById("session-state");

function updateRow(row) {
  const tr = document.getElementById(`person-${row.person}`);
  if (!tr || tr.dataset.status === row.status) return;
  tr.dataset.status = row.status;
  const badge = tr.querySelector('[data-cell="status"]');
  badge.textContent = row.status_display;
  badge.className = `badge badge--${row.status || "none"}`;
  tr.querySelector('[data-cell="note"]').textContent = row.note;
  const select = tr.querySelector("select");
  if (select && row.status && document.activeElement !== select) select.value = row.status;
  tr.classList.remove("is-updated");
  void tr.offsetWidth; // restart the highlight animation
  tr.classList.add("is-updated");
}

// Pending reviews and unrecognised attempts: swapped in as rendered by the server,
// unless the teacher is in the middle of deciding one.
const reviews = document.getElementById("reviews");
let shownReviews = reviews ? reviews.innerHTML.trim() : "";

function updateReviews(html) {
  if (!reviews || html === undefined || html.trim() === shownReviews) return;
  if (reviews.contains(document.activeElement)) return;
  shownReviews = html.trim();
  reviews.innerHTML = html;
}

async function poll() {
  if (document.visibilityState === "visible") {
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.ok) {
        const data = await response.json();
        data.rows.forEach(updateRow);
        updateReviews(data.reviews_html);
        root.dispatchEvent(new CustomEvent("session:status", { detail: data })); // session_live.js
        stateBadge.textContent = data.state_display;
        stateBadge.className = `badge badge--${data.state}`;
        root.dataset.state = data.state;
      }
    } catch {
      // offline for a moment: the next poll catches up
    }
  }
  if (root.dataset.state !== "closed") setTimeout(poll, POLL_MS);
}

if (root.dataset.state !== "closed") setTimeout(poll, POLL_MS);
