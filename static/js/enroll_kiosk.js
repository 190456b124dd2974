// The enrollment kiosk: a student picks their name, looks at the camera and follows the arrows;
// the page takes a few frames with small pose changes (straight, slightly left, slightly right,
// straight), sends them at once, and shows each photo turning ready or rejected (with the
// reason) as the server checks it. The video is a mirror, so the student's left is on the
// screen's left.
import { cameraErrorMessage, snapshot, startCamera } from "./camera.js";
import { poll } from "./poll.js";

const STEPS = [
  { text: gettext("Look straight at the camera"), arrow: "" },
  { text: gettext("Turn your head slightly to your left"), arrow: "\u2190", side: "left" },
  { text: gettext("Turn your head slightly to your right"), arrow: "\u2192", side: "right" },
  { text: gettext("Look straight at the camera again"), arrow: "" },
];
const STEP_MS = 600; // time to move into each pose before its frame is taken
const COUNTDOWN_S = 2;
const POLL_MS = 1500;
const POLL_FOR_MS = 90000; // then the course page still shows where the photos got to
const BACK_TO_NAMES_MS = 10000; // the next student finds the names (and this name is gone)
const INVALID_LINK_TEXT = gettext(
  "This enrollment link is no longer valid. Ask the teacher to open the enrollment kiosk again from the course page.",
);
const STATUS_TEXT = {
  pending: gettext("checking…"),
  processing: gettext("checking…"),
  ready: gettext("accepted"),
  needs_review: gettext("kept for your teacher to look at"),
  rejected: gettext("not usable"),
  refused: gettext("not usable"),
};

// Why no photo was usable (the gate's problem codes, recognition.quality and
// recognition.types) -> what the student does differently. The most frequent one wins, in
// ADVICE_TEXT's order on a tie.
const ADVICE = {
  small: "closer",
  face_too_small: "closer",
  no_face: "closer", // a student in front of the kiosk whose face is not found stands too far
  dark: "light",
  washed_out: "light",
  blurred: "still",
  upscaled: "still",
  turned: "straight",
};
const ADVICE_TEXT = {
  closer: gettext("No photo was usable. Come closer to the camera and take them again."),
  light: gettext("No photo was usable. Take them again, facing the light."),
  still: gettext("No photo was usable. Hold still and take them again."),
  straight: gettext("No photo was usable. Look straight at the camera and take them again."),
};

const root = document.getElementById("enroll-kiosk");
const pick = document.getElementById("enroll-pick");
const capture = document.getElementById("enroll-capture");
const nameHeading = document.getElementById("enroll-name");
const video = document.getElementById("enroll-video");
const arrow = document.getElementById("enroll-arrow");
const instruction = document.getElementById("enroll-instruction");
const results = document.getElementById("enroll-results");
const message = document.getElementById("enroll-message");
const startButton = document.getElementById("enroll-start");
const doneButton = document.getElementById("enroll-done");
const search = document.getElementById("enroll-search");
// The server's reasons in the page's language (the course's), not the browser's.
const headers = {
  Authorization: `Kiosk ${root.dataset.token}`,
  Accept: "application/json",
  "Accept-Language": document.documentElement.lang,
};

let stream = null;
let person = null;
let round = 0; // a new name or a new round stops the polling of the previous one

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function showMessage(text) {
  message.textContent = text || "";
  message.hidden = !text;
}

// The arrow stands on the side to turn to (beside the face, not over it).
function say(text, arrowText = "", side = "") {
  instruction.textContent = text;
  arrow.textContent = arrowText;
  arrow.className = `enroll__arrow enroll__arrow--${side || "none"}`;
  arrow.hidden = !arrowText;
}

async function detailOf(response) {
  try {
    const data = await response.json();
    return data.detail || Object.values(data).flat().join(" ");
  } catch {
    return "";
  }
}

function showResults(photos) {
  const items = photos.map((photo, index) => {
    const item = document.createElement("li");
    item.className = `enroll__result enroll__result--${photo.status}`;
    const reason = photo.reason && photo.status !== "ready" ? `: ${photo.reason}` : "";
    const status = STATUS_TEXT[photo.status] || photo.status;
    item.textContent = interpolate(gettext("Photo %(number)s: %(status)s"), { number: index + 1, status }, true) + reason;
    return item;
  });
  results.replaceChildren(...items);
}

function summary(photos) {
  const good = photos.filter((photo) => photo.status === "ready").length;
  const held = photos.filter((photo) => photo.status === "needs_review").length;
  if (good) {
    const text = ngettext(
      "Done: %(good)s of %(total)s photo accepted. Thank you!",
      "Done: %(good)s of %(total)s photos accepted. Thank you!",
      photos.length,
    );
    return interpolate(text, { good, total: photos.length }, true);
  }
  if (held) return gettext("Done: your teacher will look at your photos.");
  return ADVICE_TEXT[advice(photos)];
}

function advice(photos) {
  const counts = new Map();
  for (const code of photos.flatMap((photo) => photo.problems || [])) {
    const kind = ADVICE[code];
    if (kind) counts.set(kind, (counts.get(kind) || 0) + 1);
  }
  const most = Math.max(0, ...counts.values());
  return Object.keys(ADVICE_TEXT).find((kind) => most && counts.get(kind) === most) || "light";
}

// Each photo turning ready or rejected, until none is left to check (or POLL_FOR_MS); then the
// summary, and back to the names a little later.
function follow(photos, thisRound) {
  const ids = new Set(photos.filter((photo) => photo.photo).map((photo) => photo.photo));
  const deadline = Date.now() + POLL_FOR_MS;
  let current = photos;
  const checking = () =>
    current.some((photo) => photo.status === "pending" || photo.status === "processing");
  const finish = () => {
    say(summary(current));
    root.dataset.state = "done";
    setTimeout(() => {
      if (thisRound === round) backToNames();
    }, BACK_TO_NAMES_MS);
  };
  if (!checking()) {
    finish();
    return;
  }
  poll(`${root.dataset.progressUrl}?person=${person.id}`, {
    every: POLL_MS,
    headers,
    credentials: "omit",
    onData: (data) => {
      if (thisRound !== round) return false;
      const known = new Map(data.photos.map((photo) => [photo.photo, photo]));
      current = photos.map((photo) => (ids.has(photo.photo) && known.get(photo.photo)) || photo);
      showResults(current);
      if (checking()) return Date.now() <= deadline;
      finish();
      return false;
    },
  });
}

async function takePhotos() {
  const thisRound = ++round;
  root.dataset.state = "capturing";
  startButton.disabled = true;
  showMessage("");
  results.replaceChildren();
  for (let second = COUNTDOWN_S; second > 0; second -= 1) {
    say(interpolate(gettext("Look at the camera… %(second)s"), { second }, true));
    await wait(1000);
  }
  const body = new FormData();
  body.append("person", person.id);
  for (const [index, step] of STEPS.entries()) {
    say(step.text, step.arrow, step.side);
    await wait(STEP_MS);
    const shot = await snapshot(video, 1280, 0.92);
    body.append("frames", shot.blob, `kiosk-${index + 1}.jpg`);
  }
  say(gettext("Sending your photos…"));
  let response;
  try {
    response = await fetch(root.dataset.framesUrl, {
      method: "POST",
      body,
      headers,
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    response = null;
  }
  startButton.disabled = false;
  startButton.textContent = gettext("Take them again");
  if (response && response.ok) {
    const answer = (await response.json()).frames;
    showResults(answer);
    say(gettext("Checking your photos…"));
    root.dataset.state = "checking";
    follow(answer, thisRound);
    return;
  }
  root.dataset.state = "failed";
  say("");
  if (!response) {
    showMessage(gettext("Cannot reach the server. Check the connection and try again."));
  } else if (response.status === 401 || response.status === 403) {
    showMessage(INVALID_LINK_TEXT);
    startButton.disabled = true;
  } else if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After")) || 5;
    showMessage(interpolate(gettext("Too many photos at once. Try again in %(seconds)s s."), { seconds }, true));
  } else {
    showMessage((await detailOf(response)) || gettext("The photos could not be added. Try again."));
  }
}

async function choose(button) {
  person = { id: button.dataset.person, name: button.dataset.name };
  round += 1;
  pick.hidden = true;
  capture.hidden = false;
  nameHeading.textContent = person.name;
  results.replaceChildren();
  showMessage("");
  startButton.textContent = gettext("Take my photos");
  startButton.disabled = true;
  root.dataset.state = "starting";
  if (!stream) {
    say("Starting the camera…");
    try {
      stream = await startCamera(video);
    } catch (error) {
      say("");
      showMessage(cameraErrorMessage(error));
      root.dataset.state = "failed";
      return;
    }
  }
  takePhotos(); // no extra tap: the countdown gives the student time to look up
}

function backToNames() {
  round += 1;
  person = null;
  capture.hidden = true;
  pick.hidden = false;
  root.dataset.state = "pick";
  search.value = "";
  filter();
}

function filter() {
  const words = search.value.trim().toLowerCase();
  for (const item of document.querySelectorAll("#enroll-students li[data-name]")) {
    item.hidden = Boolean(words) && !item.dataset.name.includes(words);
  }
}

for (const button of document.querySelectorAll(".enroll__student[data-person]")) {
  button.addEventListener("click", () => choose(button));
}
startButton.addEventListener("click", takePhotos);
doneButton.addEventListener("click", backToNames);
search.addEventListener("input", filter);
root.dataset.state = "pick";
