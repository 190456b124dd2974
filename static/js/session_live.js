// The live session page's one poll. The page holds the change stamp it was drawn at and sends
// it back (`since`) every 1.5 s: an unchanged session answers with the stamp alone; a change
// brings the counters, the rows and the faces to check rendered by the server, which this
// script puts in place (it counts nothing and never re-downloads the page). The one-tap status
// buttons post the teacher's choice and poll at once.
import { poll } from "./poll.js";

const POLL_MS = 1500;

const root = document.getElementById("session");
const body = document.getElementById("attendance-rows");
const counts = document.getElementById("live-counts");
const stateBadge = document.getElementById("session-state");
const reviews = document.getElementById("reviews");
const onlyMissing = document.querySelector("[data-only-missing]");
const message = document.getElementById("live-message");

function applyFilter() {
  if (!onlyMissing || !body) return;
  for (const tr of body.querySelectorAll("tr[data-person]")) {
    tr.hidden = onlyMissing.checked && tr.dataset.status !== "";
  }
}

// A row the server rendered differently replaces the shown one (keeping the focus on the
// same button); new students are inserted in the server's order; rows no longer sent go.
function replaceRow(shown, fresh) {
  const focused = shown.contains(document.activeElement) ? document.activeElement : null;
  shown.replaceWith(fresh);
  if (focused && focused.name) {
    fresh.querySelector(`[name="${focused.name}"][value="${focused.value}"]`)?.focus();
  }
  if (shown.dataset.status !== fresh.dataset.status) {
    void fresh.offsetWidth; // restart the highlight animation
    fresh.classList.add("is-updated");
  }
  return fresh;
}

function showRows(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const rows = [...template.content.querySelectorAll("tr")];
  if (!rows.every((tr) => tr.id)) {
    body.replaceChildren(...rows);
    return;
  }
  const wanted = rows.map((fresh) => {
    const shown = document.getElementById(fresh.id);
    if (!shown) return fresh;
    return shown.dataset.version === fresh.dataset.version ? shown : replaceRow(shown, fresh);
  });
  let cursor = body.firstElementChild;
  for (const tr of wanted) {
    if (tr === cursor) cursor = cursor.nextElementSibling;
    else body.insertBefore(tr, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

// Pending reviews: swapped in unless the teacher is in the middle of deciding one.
function showReviews(html) {
  if (!reviews || reviews.contains(document.activeElement)) return;
  if (reviews.innerHTML.trim() !== html.trim()) reviews.innerHTML = html;
}

function show(data) {
  if (data.unchanged) return true;
  if (counts.innerHTML.trim() !== data.counts_html) counts.innerHTML = data.counts_html;
  showRows(data.rows_html);
  showReviews(data.reviews_html);
  stateBadge.textContent = data.state_display;
  stateBadge.className = `badge badge--${data.state}`;
  root.dataset.state = data.state;
  applyFilter();
  return data.state !== "closed";
}

async function setStatus(event) {
  const form = event.target.closest("[data-status-form]");
  if (!form || !event.submitter) return;
  event.preventDefault();
  const data = new FormData(form);
  data.set("status", event.submitter.value);
  for (const button of form.querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button === event.submitter));
  }
  message.textContent = "";
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      message.textContent = answer.detail || message.dataset.failed;
    }
  } catch {
    message.textContent = message.dataset.failed;
  }
  loop?.now();
}

if (body) body.addEventListener("submit", setStatus);
if (onlyMissing) onlyMissing.addEventListener("change", applyFilter);
const loop =
  root.dataset.state === "closed"
    ? null
    : poll(root.dataset.statusUrl, { every: POLL_MS, stamp: root.dataset.stamp, onData: show });
