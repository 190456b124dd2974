// The kiosk: sends a snapshot about every 0.7 s (never two at once), draws each face's box
// and name over the mirrored video, and greets the recognised student in large type.
import { cameraErrorMessage, snapshot, startCamera } from "./camera.js";

const INTERVAL_MS = 700;
const NOT_OPEN_RETRY_MS = 3000;
const MAX_BACKOFF_MS = 30000;
const WELCOME_HOLD_MS = 4000;
const IDLE_TEXT = "Look at the camera to check in.";
const UNKNOWN_TEXT = "Not recognised, please look at the camera";
const INVALID_LINK_TEXT =
  "This kiosk link is no longer valid. Ask the teacher to open the kiosk again from the session page.";

const root = document.getElementById("kiosk");
const video = document.getElementById("kiosk-video");
const overlay = document.getElementById("kiosk-overlay");
const welcome = document.getElementById("kiosk-welcome");
const message = document.getElementById("kiosk-message");
const checkinUrl = root.dataset.checkinUrl;
const token = root.dataset.token;

let failures = 0;
let welcomeUntil = 0;

function showMessage(text) {
  message.textContent = text || "";
  message.hidden = !text;
}

function setWelcome(text, kind) {
  welcome.textContent = text;
  welcome.className = "kiosk__welcome" + (kind ? ` kiosk__welcome--${kind}` : "");
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

function greeting(face) {
  const name = face.person.full_name;
  if (face.status === "present" || face.status === "late") {
    return `${name} – ${face.status}, ${clock(face.checked_in_at)}`;
  }
  return `${name} – recorded as ${face.status}: please see your teacher`;
}

// Where the video's picture lies inside its element (object-fit: contain letterboxes it).
function pictureRect() {
  const scale = Math.min(video.clientWidth / video.videoWidth, video.clientHeight / video.videoHeight);
  const width = video.videoWidth * scale;
  const height = video.videoHeight * scale;
  return { x: (video.clientWidth - width) / 2, y: (video.clientHeight - height) / 2, width, height };
}

function drawFaces(faces, shot) {
  const picture = pictureRect();
  const scale = picture.width / shot.width; // snapshot pixels -> screen pixels
  const boxes = faces.map((face) => {
    const { top, right, bottom, left } = face.box;
    const box = document.createElement("div");
    box.className = face.person ? "face-box" : "face-box face-box--unknown";
    Object.assign(box.style, {
      left: `${picture.x + picture.width - right * scale}px`, // the video is shown mirrored
      top: `${picture.y + top * scale}px`,
      width: `${(right - left) * scale}px`,
      height: `${(bottom - top) * scale}px`,
    });
    const label = document.createElement("span");
    label.className = "face-box__label";
    label.textContent = face.person ? face.person.full_name : "Not recognised";
    box.append(label);
    return box;
  });
  overlay.replaceChildren(...boxes);
}

function showFaces(faces, shot) {
  drawFaces(faces, shot);
  const known = faces.filter((face) => face.person);
  if (known.length) {
    setWelcome(known.map(greeting).join("\n"), "ok");
    welcomeUntil = Date.now() + WELCOME_HOLD_MS;
  } else if (faces.length) {
    setWelcome(UNKNOWN_TEXT, "unknown");
    welcomeUntil = Date.now() + WELCOME_HOLD_MS;
  } else if (Date.now() > welcomeUntil) {
    setWelcome(IDLE_TEXT, "");
  }
}

// Waits longer after each failure in a row (1 s, 2 s, 4 s … 30 s), so a struggling server
// is not flooded, and the kiosk recovers by itself when the server is back.
function unreachable(problem = "Cannot reach the server.") {
  failures += 1;
  const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
  overlay.replaceChildren();
  showMessage(`${problem} Trying again in ${Math.round(delay / 1000)} s…`);
  return delay;
}

async function detailOf(response) {
  try {
    return (await response.json()).detail || "";
  } catch {
    return "";
  }
}

// One check-in. Returns the delay before the next one, or null to stop for good.
const KIOSK_FACE_FRACTION = 8;

async function checkIn() {
  const shot = await snapshot(video, 640);
  const body = new FormData();
  body.append("image", shot.blob, "snapshot.jpg");
  // Students stand close to a kiosk: look only for faces of at least 1/8 of the frame's
  // width (80 px of 640), which makes detection several times cheaper.
  body.append("min_face_px", String(Math.max(40, Math.round(shot.width / KIOSK_FACE_FRACTION))));
  let response;
  try {
    response = await fetch(checkinUrl, {
      method: "POST",
      body,
      headers: { Authorization: `Kiosk ${token}`, Accept: "application/json" },
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    return unreachable();
  }
  if (response.ok) {
    failures = 0;
    showMessage("");
    showFaces((await response.json()).faces, shot);
    return INTERVAL_MS;
  }
  if (response.status === 409) {
    failures = 0;
    overlay.replaceChildren();
    setWelcome("", "");
    showMessage((await detailOf(response)) || "This session is not open for check-in.");
    return NOT_OPEN_RETRY_MS; // a session that is not open yet may open soon
  }
  if (response.status === 401 || response.status === 403) {
    overlay.replaceChildren();
    setWelcome("", "");
    showMessage(INVALID_LINK_TEXT);
    return null;
  }
  if (response.status === 400) {
    return INTERVAL_MS; // an unreadable frame: try the next one
  }
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After")) || 5;
    showMessage(`Too many check-ins at once. Trying again in ${seconds} s…`);
    return seconds * 1000;
  }
  return unreachable("The server had a problem.");
}

async function loop() {
  const started = performance.now();
  let delay = INTERVAL_MS;
  if (document.visibilityState === "visible") {
    try {
      delay = await checkIn();
    } catch {
      delay = unreachable();
    }
  }
  if (delay === null) return;
  const elapsed = performance.now() - started;
  setTimeout(loop, delay === INTERVAL_MS ? Math.max(0, delay - elapsed) : delay);
}

async function start() {
  try {
    await startCamera(video);
  } catch (error) {
    setWelcome("", "");
    showMessage(cameraErrorMessage(error));
    return;
  }
  // The stage takes the camera's shape (landscape webcam, portrait phone): no black bars.
  document.getElementById("kiosk-stage").style.aspectRatio = `${video.videoWidth} / ${video.videoHeight}`;
  root.dataset.camera = "on";
  loop();
}

start();
