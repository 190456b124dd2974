// Import forms (data-upload-progress): the form is sent by XMLHttpRequest so that a bar shows
// how much of the file has gone, and every button of the form is disabled until the server
// answers (no second upload by a double-click). A redirect is followed to its page; any other
// answer (a preview, the file's errors) replaces this page's title and body, whose forms are
// then handled the same way.
function sent(xhr, form) {
  const posted = new URL(form.action || window.location.href, window.location.href);
  return xhr.responseURL && new URL(xhr.responseURL).pathname !== posted.pathname;
}

function send(form, submitter) {
  const box = form.querySelector("[data-upload]");
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-upload-label]");
  const buttons = form.querySelectorAll("button");
  const text = (name, percent) => box.dataset[name].replace("{percent}", percent);
  const data = new FormData(form, submitter);
  buttons.forEach((button) => {
    button.disabled = true;
  });
  box.hidden = false;
  bar.value = 0;
  label.textContent = text("sendingText", 0);

  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action || window.location.href);
  xhr.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    bar.max = event.total;
    bar.value = event.loaded;
    label.textContent = text("sendingText", Math.round((100 * event.loaded) / event.total));
  });
  xhr.upload.addEventListener("load", () => {
    bar.value = bar.max;
    label.textContent = text("checkingText", 100);
  });
  xhr.addEventListener("load", () => {
    if (sent(xhr, form)) {
      window.location.assign(xhr.responseURL);
      return;
    }
    const answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
    document.title = answer.title;
    document.body.replaceWith(answer.body);
    attach(document);
    window.scrollTo(0, 0);
  });
  xhr.addEventListener("error", () => {
    buttons.forEach((button) => {
      button.disabled = false;
    });
    label.textContent = text("failedText", 0);
  });
  xhr.send(data);
}

function attach(root) {
  for (const form of root.querySelectorAll("form[data-upload-progress]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form, event.submitter);
    });
  }
}

attach(document);
