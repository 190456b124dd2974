// The photo import page: polls the job (poll.js) and updates the progress bar and each file's
// result until every photo is ready, held for the teacher's decision or rejected.
import { poll } from "./poll.js";
const root = document.getElementById("photo-import");

function badge(file) {
  const span = document.createElement("span");
  span.className = `badge badge--${file.status}`;
  span.textContent = file.status_display;
  return span;
}

function render(job) {
  const bar = root.querySelector("progress");
  bar.max = Math.max(job.total, 1);
  bar.value = job.done;
  const counts = { done: job.done, total: job.total };
  bar.textContent = interpolate(gettext("%(done)s of %(total)s"), counts, true);
  root.querySelector("[data-progress-label]").textContent = interpolate(
    gettext("%(done)s of %(total)s photos checked"),
    counts,
    true,
  );
  root.querySelector("[data-state]").textContent = job.state_display;
  root.querySelector("[data-ready]").textContent = job.ready;
  root.querySelector("[data-rejected]").textContent = job.rejected;
  root.querySelector("[data-held]").textContent = job.held;
  root.querySelector("[data-held-link]").hidden = !job.held;
  const body = root.querySelector("[data-files]");
  for (const file of job.files) {
    let row = body.querySelector(`[data-photo="${file.photo}"]`);
    if (!row) {
      row = document.createElement("tr");
      row.dataset.photo = file.photo;
      const name = document.createElement("td");
      name.textContent = file.file;
      const who = document.createElement("th");
      who.scope = "row";
      who.textContent = `${file.full_name} ${file.external_id}`;
      const result = document.createElement("td");
      result.dataset.result = "";
      row.append(name, who, result);
      body.append(row);
    }
    const cell = row.querySelector("[data-result]");
    cell.replaceChildren(badge(file), ` ${file.rejection_reason}`);
  }
  return !job.finished;
}

if (root.dataset.finished !== "true") poll(root.dataset.pollUrl, { onData: render });
