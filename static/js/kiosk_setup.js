// Kiosk set-up: a fullscreen button, the screen kept awake while the kiosk is
// open (Screen Wake Lock API), and an optional short sound when a student checks in.
const root = document.getElementById("kiosk");
const fullscreen = document.getElementById("kiosk-fullscreen");
const sound = document.getElementById("kiosk-sound");
let wakeLock = null;
let audio = null;

if (fullscreen && document.fullscreenEnabled) {
  fullscreen.hidden = false;
  fullscreen.addEventListener("click", async () => {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    } catch {
      // refused by the browser: nothing to do
    }
  });
  document.addEventListener("fullscreenchange", () => {
    fullscreen.textContent = document.fullscreenElement ? gettext("Leave full screen") : gettext("Full screen");
  });
}

async function keepAwake() {
  if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    root.dataset.wakeLock = "on";
  } catch {
    root.dataset.wakeLock = "refused"; // e.g. low battery: the screen may dim
  }
}

// A lock is released whenever the page is hidden: take it again when it is shown.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && (!wakeLock || wakeLock.released)) keepAwake();
});
keepAwake();

function beep() {
  audio = audio || new AudioContext();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.25);
}

if (sound) {
  sound.checked = localStorage.getItem("kiosk-sound") === "on";
  sound.addEventListener("change", () => {
    localStorage.setItem("kiosk-sound", sound.checked ? "on" : "off");
    if (sound.checked) beep(); // also unlocks audio, which needs a user gesture
  });
  root.addEventListener("kiosk:checked-in", () => {
    if (sound.checked) beep();
  });
}
