// Polls a background job's JSON every 1.5 s and hands each answer to `render` until the job
// says it is finished (the root's data-finished, kept up to date here). Offline for a
// moment: it keeps trying.
const POLL_MS = 1500;

export function pollJob(root, render) {
  async function tick() {
    try {
      const response = await fetch(root.dataset.pollUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.ok) {
        const job = await response.json();
        render(job);
        root.dataset.finished = job.finished ? "true" : "false";
      }
    } catch {
      // the next tick tries again
    }
    if (root.dataset.finished !== "true") setTimeout(tick, POLL_MS);
  }
  if (root.dataset.finished !== "true") setTimeout(tick, POLL_MS);
}
