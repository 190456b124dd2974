// The class-photo panel of the live session page: upload a picture of the class, wait for
// the server to identify every face, then show the picture with a box and a name per face,
// the count found, and a control to name each unknown face, which marks that student. The
// server keeps the picture until the session closes, so the page shows the session's photos
// again after a reload. Every address comes from the server: the upload and list address
// from the panel's data-url, the others (picture included) from each photo's answer.
import { poll } from "./poll.js";

const POLL_MS = 700;

const panel = document.getElementById("class-photos");
const form = document.getElementById("class-photo-form");
const message = document.getElementById("class-photo-message");
const results = document.getElementById("class-photo-results");
const roster = document.getElementById("class-photo-roster");

function csrfToken() {
  return form ? form.elements.csrfmiddlewaretoken.value : "";
}

async function api(url, options = {}) {
  const response = await fetch(url, {
    ...options,
    // The API's messages follow Accept-Language: ask for the page's language.
    headers: {
      Accept: "application/json",
      "Accept-Language": document.documentElement.lang,
      "X-CSRFToken": csrfToken(),
      ...options.headers,
    },
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    // no JSON body
  }
  return { ok: response.ok, data };
}

function errorText(data) {
  if (data.detail) return data.detail;
  return Object.values(data).flat().join(" ") || gettext("Something went wrong. Try again.");
}

function labelOf(face, index) {
  if (face.person) return face.person.full_name;
  return interpolate(gettext("Unknown %(number)s"), { number: index }, true);
}

function drawBox(overlay, photo, face, number) {
  const box = document.createElement("div");
  box.className = face.person ? "face-box" : "face-box face-box--unknown";
  // A label hangs from the box's left edge, or its right edge in the photo's right half,
  // so that it stays over the photo at any width.
  if (face.box.left + face.box.right > photo.width) box.classList.add("face-box--right");
  box.dataset.face = face.index;
  box.style.left = `${(100 * face.box.left) / photo.width}%`;
  box.style.top = `${(100 * face.box.top) / photo.height}%`;
  box.style.width = `${(100 * (face.box.right - face.box.left)) / photo.width}%`;
  box.style.height = `${(100 * (face.box.bottom - face.box.top)) / photo.height}%`;
  const label = document.createElement("span");
  label.className = "face-box__label";
  label.textContent = labelOf(face, number);
  box.append(label);
  overlay.append(box);
  return box;
}

function summary(photo) {
  const named = photo.faces.filter((face) => face.person).length;
  const unknown = photo.found - named;
  const found = ngettext(
    "Found %(found)s face: %(named)s recognised, %(unknown)s unknown.",
    "Found %(found)s faces: %(named)s recognised, %(unknown)s unknown.",
    photo.found,
  );
  const text = interpolate(found, { found: photo.found, named, unknown }, true);
  if (!photo.faces_capped_at) return text;
  const capped = gettext("The photo holds more faces: only the %(capped)s largest were identified.");
  return `${text} ${interpolate(capped, { capped: photo.faces_capped_at }, true)}`;
}

// Students marked since the page was drawn (the roster list holds only those not marked then):
// recognised in a photo or named by hand. They are not offered for an unknown face.
const marked = new Set();

function personId(person) {
  return String(person.id ?? person);
}

function dropMarked() {
  document.querySelectorAll(".class-photo__unknown select").forEach((select) => {
    const chosen = select.value;
    [...select.options].forEach((option) => {
      if (marked.has(option.value)) option.remove();
    });
    if (select.value !== chosen) select.dispatchEvent(new Event("change"));
  });
}

// The face itself, cut from the browser's copy of the photo (the boxes are in the photo's
// pixels as the server read it), so the teacher sees whom they are naming.
const THUMB_PX = 72;

function faceThumbnail(img, photo, face, number) {
  const canvas = document.createElement("canvas");
  canvas.className = "class-photo__face";
  canvas.width = THUMB_PX;
  canvas.height = THUMB_PX;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", interpolate(gettext("Unknown face %(number)s"), { number }, true));
  const draw = () => {
    const scale = img.naturalWidth / photo.width;
    const { top, right, bottom, left } = face.box;
    const side = Math.max(right - left, bottom - top) * 1.3; // a margin around the face
    const x = ((left + right) / 2 - side / 2) * scale;
    const y = ((top + bottom) / 2 - side / 2) * scale;
    canvas.getContext("2d").drawImage(img, x, y, side * scale, side * scale, 0, 0, THUMB_PX, THUMB_PX);
  };
  if (img.complete && img.naturalWidth) draw();
  else img.addEventListener("load", draw, { once: true });
  return canvas;
}

function assignRow(block, photo, face, number, box, img) {
  const item = document.createElement("li");
  item.className = "inline-fields";
  const name = document.createElement("span");
  name.textContent = interpolate(gettext("Unknown %(number)s"), { number }, true);
  const select = roster.cloneNode(true);
  select.hidden = false;
  select.removeAttribute("aria-hidden");
  select.id = `assign-${photo.id}-${face.index}`;
  select.setAttribute("aria-label", interpolate(gettext("Student for unknown face %(number)s"), { number }, true));
  [...select.options].forEach((option) => {
    if (marked.has(option.value)) option.remove();
  });
  select.value = ""; // "Choose…": a quick Assign must not mark whoever is first
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = gettext("Assign");
  button.disabled = true;
  select.addEventListener("change", () => {
    button.disabled = !select.value;
  });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const { ok, data } = await api(photo.assign_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ face: face.index, person: Number(select.value) }),
    });
    if (ok) {
      box.classList.remove("face-box--unknown");
      box.querySelector(".face-box__label").textContent = data.person.full_name;
      const values = { number, name: data.person.full_name };
      item.textContent = interpolate(gettext("Unknown %(number)s: %(name)s, marked."), values, true);
      face.person = data.person;
      marked.add(personId(data.person));
      dropMarked();
      block.querySelector(".class-photo__count").textContent = summary(photo);
    } else {
      message.textContent = errorText(data);
      button.disabled = false;
    }
  });
  item.append(faceThumbnail(img, photo, face, number), name, select, button);
  return item;
}

function render(photo, imageUrl) {
  const block = document.createElement("article");
  block.className = "class-photo";
  block.dataset.photo = photo.id;
  const count = document.createElement("p");
  count.className = "class-photo__count";
  count.textContent = summary(photo);
  const stage = document.createElement("div");
  stage.className = "class-photo__stage";
  const img = document.createElement("img");
  img.src = imageUrl;
  img.alt = gettext("The class photo, with a box around each face found");
  const overlay = document.createElement("div");
  overlay.className = "kiosk__overlay";
  stage.append(img, overlay);
  const list = document.createElement("ul");
  list.className = "class-photo__unknown";
  let unknownNumber = 0;
  photo.faces.forEach((face) => face.person && marked.add(personId(face.person)));
  photo.faces.forEach((face) => {
    const number = face.person ? null : ++unknownNumber;
    const box = drawBox(overlay, photo, face, number);
    if (!face.person) list.append(assignRow(block, photo, face, number, box, img));
  });
  block.append(count, stage);
  if (unknownNumber) {
    const heading = document.createElement("h3");
    heading.textContent = gettext("Unknown faces");
    block.append(heading, list);
  }
  results.prepend(block);
}

// The photo once the server has identified its faces (or given up on it).
function waitFor(photoUrl) {
  return new Promise((resolve) => {
    poll(photoUrl, {
      every: POLL_MS,
      first: 0,
      headers: { "Accept-Language": document.documentElement.lang },
      onData: (photo) => {
        const over = photo.status === "done" || photo.status === "failed";
        if (over) resolve(photo);
        return !over;
      },
    });
  });
}

// The session's photos still kept, oldest first (each drawn on top of the previous one).
async function showKept() {
  try {
    const { ok, data } = await api(panel.dataset.url);
    if (!ok) return;
    for (const listed of data) {
      if (!listed.image_url || listed.status === "failed") continue;
      const photo = listed.status === "done" ? listed : await waitFor(listed.url);
      if (photo.status === "done") render(photo, photo.image_url);
    }
  } catch {
    // the panel still takes new photos
  }
}

showKept();

if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.image.files[0];
    if (!file) return;
    const button = form.querySelector("button");
    button.disabled = true;
    message.textContent = gettext("Uploading…");
    const body = new FormData();
    body.append("image", file);
    try {
      const { ok, data } = await api(panel.dataset.url, { method: "POST", body });
      if (!ok) {
        message.textContent = errorText(data);
      } else {
        message.textContent = gettext("Finding and recognising every face…");
        const photo = await waitFor(data.url);
        if (photo.status === "failed") {
          message.textContent = photo.error;
        } else {
          message.textContent = gettext("Done: the photo and its faces are below.");
          render(photo, URL.createObjectURL(file));
          form.reset();
        }
      }
    } catch {
      message.textContent = gettext("The photo could not be uploaded. Check the connection and try again.");
    }
    button.disabled = false;
  });
}
