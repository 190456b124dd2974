// The account page suggests the browser's own time zone when the choice differs from it;
// "Use it" selects it (the teacher still saves, and the server checks the zone).
const select = document.getElementById("id_time_zone");
const hint = document.querySelector("[data-browser-zone]");
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const known = select && [...select.options].some((option) => option.value === zone);
const current = select && (select.value || select.dataset.schoolZone);

if (hint && known && current !== zone) {
  hint.querySelector("[data-zone-name]").textContent = zone;
  hint.hidden = false;
  hint.querySelector("button").addEventListener("click", () => {
    select.value = zone;
    hint.hidden = true;
    select.focus();
  });
}
