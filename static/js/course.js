// The course page: keeps photo statuses current while photos are processed or the enrollment
// kiosk is open (photos arrive from it: data-watch), polling every 1.5 s, lets files be
// dropped on a student's upload box, and takes enrollment photos with the webcam.
import { cameraErrorMessage, snapshot, startCamera, stopCamera } from "./camera.js";
import { poll } from "./poll.js";

const POLL_MS = 1500;
const root = document.getElementById("course");
const shown = new Map(); // what each photo list and the classifier box show now
let loop = null; // the status poll, while photos are processed or the kiosk is open

function swap(element, key, html) {
  if (!element || shown.get(key) === html) return;
  shown.set(key, html);
  element.innerHTML = html;
}

// The server answers with the rows that changed since the stamp the page holds, only for the
// students on it, or none, whatever the size of the roster.
function statusUrl() {
  const url = new URL(root.dataset.statusUrl, window.location.href);
  const ids = [...document.querySelectorAll("[data-photos-for]")].map((el) => el.dataset.photosFor);
  if (ids.length) url.searchParams.set("ids", ids.join(","));
  return url;
}

function show(data) {
  root.dataset.stamp = data.stamp;
  for (const student of data.students) {
    swap(document.querySelector(`[data-photos-for="${student.id}"]`), student.id, student.html);
    const counts = document.querySelector(`[data-counts-for="${student.id}"]`);
    swap(counts, `counts-${student.id}`, student.counts_html);
  }
  swap(document.getElementById("classifier-state"), "classifier", data.classifier.html);
  if (data.guidance_html !== undefined) {
    swap(document.getElementById("enrollment-guidance"), "guidance", data.guidance_html);
  }
  root.dataset.busy = data.busy || data.classifier.training ? "true" : "false";
  return root.dataset.busy === "true" || root.dataset.watch === "true";
}

function startPolling() {
  if (loop && loop.running) return;
  loop = poll(statusUrl, { every: POLL_MS, stamp: root.dataset.stamp || "", onData: show });
}

function setUpDropzones() {
  for (const zone of document.querySelectorAll("[data-dropzone]")) {
    const form = zone.closest("form");
    const input = zone.querySelector('input[type="file"]');
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("dropzone--over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dropzone--over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dropzone--over");
      if (!event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      form.requestSubmit();
    });
  }
}

function setUpWebcam() {
  const dialog = document.getElementById("webcam-dialog");
  const video = document.getElementById("webcam-video");
  const capture = document.getElementById("webcam-capture");
  const message = document.getElementById("webcam-message");
  let stream = null;
  let form = null;

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !dialog.showModal) return;

  const close = () => {
    stopCamera(stream);
    stream = null;
    capture.disabled = true;
    if (dialog.open) dialog.close();
  };

  for (const button of document.querySelectorAll("[data-webcam]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      form = button.closest("form");
      message.textContent = gettext("Starting the camera…");
      dialog.showModal();
      try {
        stream = await startCamera(video);
        message.textContent = gettext("Look at the camera, then take the photo.");
        capture.disabled = false;
      } catch (error) {
        message.textContent = cameraErrorMessage(error);
      }
    });
  }

  capture.addEventListener("click", async () => {
    capture.disabled = true;
    message.textContent = gettext("Uploading…");
    try {
      const shot = await snapshot(video, 1280, 0.92);
      const body = new FormData();
      body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      body.append("images", shot.blob, "webcam.jpg");
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
      });
      const data = await response.json();
      if (response.ok) {
        message.textContent = gettext("Photo added. It is being checked for a face…");
        root.dataset.busy = "true";
        startPolling();
      } else {
        message.textContent = data.errors.join(" ");
      }
    } catch {
      message.textContent = gettext("The photo could not be uploaded. Check the connection and try again.");
    }
    capture.disabled = false;
  });

  document.getElementById("webcam-close").addEventListener("click", close);
  dialog.addEventListener("close", close);
}

setUpDropzones();
setUpWebcam();
if (root.dataset.busy === "true" || root.dataset.watch === "true") startPolling();
