// The course roster table: search by name or number and filter (no consent, no ready
// photo, rejected photos), so a class of 40 stays manageable on a phone.
const tools = document.querySelector("[data-roster-tools]");

if (tools) {
  const search = tools.querySelector("[data-roster-search]");
  const filter = tools.querySelector("[data-roster-filter]");
  const count = tools.querySelector("[data-roster-count]");
  const rows = [...document.querySelectorAll("[data-roster-row]")];
  const matches = {
    all: () => true,
    "no-consent": (row) => row.dataset.consent === "no",
    "no-photo": (row) => row.dataset.photos !== "ready",
    rejected: (row) => row.dataset.photos === "rejected",
  };

  const apply = () => {
    const words = search.value.trim().toLowerCase();
    const keep = matches[filter.value] || matches.all;
    let shown = 0;
    for (const row of rows) {
      const visible = keep(row) && (!words || row.dataset.search.includes(words));
      row.hidden = !visible;
      shown += visible;
    }
    count.textContent = `${shown} of ${rows.length} students shown`;
  };

  tools.hidden = false;
  search.addEventListener("input", apply);
  filter.addEventListener("change", apply);
  apply();
}

// Back from an upload or consent form (…#student-12): that student's details are open.
const target = window.location.hash && document.querySelector(`${window.location.hash} details`);
if (target) target.open = true;
