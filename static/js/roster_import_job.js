// The roster import page: the progress bar follows the job; once it ends the page is loaded
// again, so that the server shows the outcome (and each row's error, if any).
import { poll } from "./poll.js";

const root = document.getElementById("roster-import-job");

function render(job) {
  const bar = root.querySelector("progress");
  bar.max = Math.max(job.total, 1);
  bar.value = job.done;
  root.querySelector("[data-progress-label]").textContent = root.dataset.progressText
    .replace("{done}", job.done)
    .replace("{total}", job.total);
  root.querySelector("[data-state]").textContent = job.state_display;
  if (job.finished) window.location.reload();
  return !job.finished;
}

if (root.dataset.finished !== "true") poll(root.dataset.pollUrl, { onData: render });
