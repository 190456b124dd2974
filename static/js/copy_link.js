// "Copy invitation link": the link goes to the clipboard (or is selected, for Ctrl+C, where
// the clipboard is not available, e.g. over plain http from another device).
for (const box of document.querySelectorAll("[data-copy-link]")) {
  const input = box.querySelector("input");
  const status = box.querySelector("[data-copy-status]");
  box.querySelector("button").addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = box.dataset.copiedText;
    } catch {
      if (document.execCommand("copy")) status.textContent = box.dataset.copiedText;
    }
  });
}
