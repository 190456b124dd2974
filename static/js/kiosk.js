// The kiosk: sends a snapshot about every 0.7 s (never two at once), draws each face's box
// and name over the mirrored video, and greets the recognised student in large type. Three
// states, each with its own colour and sign (app.css): checked in (success), a challenge or
// a review in progress (waiting), not recognised or not counted present (failure).
// With the course's liveness check on, a recognised student is first asked to turn their
// head one way, then the other, in the order the server chose (an arrow for the turn to make
// now, the words, a progress bar), and frames go every 0.15 s until they pass: the server
// must see each turn happening, in at least two frames between its start and its end.
// Words come from Django's JavaScript catalog (gettext, interpolate), in the course's language.
import { cameraErrorMessage, snapshot, startCamera } from "./camera.js";

const INTERVAL_MS = 700;
const CHALLENGE_INTERVAL_MS = 150;
const NOT_OPEN_RETRY_MS = 3000;
const MAX_BACKOFF_MS = 30000;
const WELCOME_HOLD_MS = 4000;
const IDLE_AFTER_MS = 20000; // no face for this long: check less often
const IDLE_INTERVAL_MS = 2000;
const IDLE_TEXT = gettext("Look at the camera to check in.");
const UNKNOWN_TEXT = gettext("Not recognised, please look at the camera");
const REVIEW_TEXT = gettext("Checking with your teacher – please wait");
const HINT_TEXT = gettext("Move closer and turn your whole head slowly");
const HINT_AFTER_RESTARTS = 3; // a challenge that started over this often: say how to pass it
const INVALID_LINK_TEXT = gettext(
  "This kiosk link is no longer valid. Ask the teacher to open the kiosk again from the session page.",
);
const STATUS_TEXT = {
  present: pgettext("attendance status", "present"),
  late: pgettext("attendance status", "late"),
  absent: pgettext("attendance status", "absent"),
  excused: pgettext("attendance status", "excused"),
};
// The server's messages (a closed session…) in the page's language, not the browser's.
const LANGUAGE = document.documentElement.lang;

const root = document.getElementById("kiosk");
const video = document.getElementById("kiosk-video");
const overlay = document.getElementById("kiosk-overlay");
const welcome = document.getElementById("kiosk-welcome");
const message = document.getElementById("kiosk-message");
const challengeBox = document.getElementById("kiosk-challenge");
const arrow = document.getElementById("kiosk-arrow");
const progress = document.getElementById("kiosk-progress");
const hint = document.getElementById("kiosk-hint");
const checkinUrl = root.dataset.checkinUrl;
const token = root.dataset.token;

let failures = 0;
let welcomeUntil = 0;
let lastFaceAt = Date.now();
let restarts = 0; // how often the current student's challenge started over
let lastChallenge = null;

function showMessage(text) {
  message.textContent = text || "";
  message.hidden = !text;
}

function setWelcome(text, kind) {
  welcome.textContent = text;
  welcome.className = "kiosk__welcome" + (kind ? ` kiosk__welcome--${kind}` : "");
}

function checkedIn(face) {
  return face.status === "present" || face.status === "late";
}

// The kind of a face's answer: "success", "waiting" or "failure".
function kindOf(face) {
  if (face.outcome === "challenge" || face.outcome === "review") return "waiting";
  return face.person && checkedIn(face) ? "success" : "failure";
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

function greeting(face) {
  const values = {
    name: face.person.full_name,
    status: STATUS_TEXT[face.status] || face.status,
    time: face.checked_in_at_display || clock(face.checked_in_at),
  };
  if (checkedIn(face)) return interpolate(gettext("%(name)s – %(status)s, %(time)s"), values, true);
  return interpolate(gettext("%(name)s – recorded as %(status)s: please see your teacher"), values, true);
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
    const kind = kindOf(face);
    const waiting = face.outcome === "review";
    box.className = face.person || waiting ? `face-box face-box--${kind}` : "face-box face-box--unknown";
    Object.assign(box.style, {
      left: `${picture.x + picture.width - right * scale}px`, // the video is shown mirrored
      top: `${picture.y + top * scale}px`,
      width: `${(right - left) * scale}px`,
      height: `${(bottom - top) * scale}px`,
    });
    const label = document.createElement("span");
    label.className = "face-box__label";
    label.textContent = face.person
      ? face.person.full_name
      : waiting
        ? gettext("Checking…")
        : gettext("Not recognised");
    box.append(label);
    return box;
  });
  overlay.replaceChildren(...boxes);
}

// A challenge starts over (its progress drops, or a new order of turns) when the head moved
// too fast, too little or left the picture; after a few restarts the kiosk says what helps.
function countRestarts(challenge) {
  if (challenge && lastChallenge) {
    const newOrder = challenge.steps.join() !== lastChallenge.steps.join();
    if (newOrder || (challenge.progress || 0) < (lastChallenge.progress || 0) - 0.01) restarts += 1;
  }
  lastChallenge = challenge;
  hint.textContent = restarts >= HINT_AFTER_RESTARTS ? HINT_TEXT : "";
  hint.hidden = restarts < HINT_AFTER_RESTARTS;
}

function forgetRestarts() {
  restarts = 0;
  countRestarts(null);
}

// The preview is a mirror, so the student's own left is on the screen's left.
function showChallenge(challenge) {
  challengeBox.hidden = !challenge;
  if (!challenge) return;
  countRestarts(challenge);
  const left = challenge.turn === "left";
  arrow.textContent = left ? "\u2190" : "\u2192";
  arrow.className = `kiosk__arrow kiosk__arrow--${challenge.turn}`;
  progress.value = challenge.progress || 0;
  const [first, then] = challenge.steps;
  let text;
  if (challenge.step !== 0) {
    text = then === "left" ? gettext("Now turn your head to your left") : gettext("Now turn your head to your right");
  } else {
    text =
      first === "left"
        ? gettext("Turn your head to your left, then to your right")
        : gettext("Turn your head to your right, then to your left");
  }
  setWelcome(text, "waiting");
}

function showFaces(faces, shot) {
  drawFaces(faces, shot);
  if (faces.length) lastFaceAt = Date.now();
  const challenged = faces.filter((face) => face.outcome === "challenge");
  const known = faces.filter((face) => face.person && face.outcome !== "challenge");
  if (known.some((face) => face.outcome === "present" || face.outcome === "late")) {
    forgetRestarts();
    root.dispatchEvent(new CustomEvent("kiosk:checked-in")); // kiosk_setup.js: the sound
  }
  showChallenge(challenged.length ? challenged[0].challenge : null);
  if (challenged.length) {
    welcomeUntil = 0;
  } else if (known.length) {
    setWelcome(known.map(greeting).join("\n"), known.every(checkedIn) ? "success" : "failure");
    welcomeUntil = Date.now() + WELCOME_HOLD_MS;
  } else if (faces.some((face) => face.outcome === "review")) {
    setWelcome(REVIEW_TEXT, "waiting");
    welcomeUntil = Date.now() + WELCOME_HOLD_MS;
  } else if (faces.length) {
    setWelcome(UNKNOWN_TEXT, "failure");
    welcomeUntil = Date.now() + WELCOME_HOLD_MS;
  } else if (Date.now() > welcomeUntil) {
    forgetRestarts();
    setWelcome(IDLE_TEXT, "");
  }
}

// Waits longer after each failure in a row (1 s, 2 s, 4 s … 30 s), so a struggling server
// is not flooded, and the kiosk recovers by itself when the server is back.
function unreachable(problem = gettext("Cannot reach the server.")) {
  failures += 1;
  const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
  overlay.replaceChildren();
  showChallenge(null);
  const again = interpolate(gettext("Trying again in %(seconds)s s…"), { seconds: Math.round(delay / 1000) }, true);
  showMessage(`${problem} ${again}`);
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
      headers: { Authorization: `Kiosk ${token}`, Accept: "application/json", "Accept-Language": LANGUAGE },
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    return unreachable();
  }
  if (response.ok) {
    failures = 0;
    showMessage("");
    const faces = (await response.json()).faces;
    showFaces(faces, shot);
    if (faces.some((face) => face.outcome === "challenge")) return CHALLENGE_INTERVAL_MS;
    return Date.now() - lastFaceAt > IDLE_AFTER_MS ? IDLE_INTERVAL_MS : INTERVAL_MS;
  }
  if (response.status === 409) {
    failures = 0;
    overlay.replaceChildren();
    showChallenge(null);
    setWelcome("", "");
    showMessage((await detailOf(response)) || gettext("This session is not open for check-in."));
    return NOT_OPEN_RETRY_MS; // a session that is not open yet may open soon
  }
  if (response.status === 401 || response.status === 403) {
    overlay.replaceChildren();
    showChallenge(null);
    setWelcome("", "");
    showMessage(INVALID_LINK_TEXT);
    return null;
  }
  if (response.status === 400) {
    return INTERVAL_MS; // an unreadable frame: try the next one
  }
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After")) || 5;
    showMessage(interpolate(gettext("Too many check-ins at once. Trying again in %(seconds)s s…"), { seconds }, true));
    return seconds * 1000;
  }
  return unreachable(gettext("The server had a problem."));
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
  const periodic = delay === INTERVAL_MS || delay === CHALLENGE_INTERVAL_MS;
  setTimeout(loop, periodic ? Math.max(0, delay - elapsed) : delay);
}

async function start() {
  try {
    await startCamera(video);
  } catch (error) {
    setWelcome("", "");
    showMessage(cameraErrorMessage(error));
    return;
  }
  // The stage takes the height the words leave (app.css); the picture is fitted inside it.
  root.dataset.camera = "on";
  loop();
}

start();
