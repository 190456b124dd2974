// The course roster's search and filter run on the server (a course may have thousands of
// students, shown a page at a time): choosing a filter asks for it at once.
const tools = document.querySelector("[data-roster-tools]");

if (tools) {
  const filter = tools.querySelector("[data-roster-filter]");
  filter.addEventListener("change", () => tools.requestSubmit());
}

// Back from an upload or consent form (…#student-12): that student's details are open.
const target = window.location.hash && document.querySelector(`${window.location.hash} details`);
if (target) target.open = true;
