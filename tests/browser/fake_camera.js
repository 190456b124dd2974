// A stand-in camera for browser tests, added with page.add_init_script: getUserMedia answers a
// 1280x720 canvas's stream, so the page's own capture code (camera.js: the video element and
// its snapshots) runs unchanged. The test chooses what the camera sees, and can change it
// between students without a new browser:
//   await window.fakeCamera.show([dataUrl, ...], { frameMs: 33, motion: "turn" })
// Several pictures play in turn (the frames of a video). `motion` moves the picture a little
// all the time, as a student in front of a kiosk does, so no two snapshots are the same
// frame: "turn" shifts it by up to 24 px, turns it by up to 4 degrees and makes it up to 5 %
// smaller (never larger); "shift" only moves it by whole pixels, so its pixels stay as they
// are (resampling blurs a face of about 100 px below the photo-quality gate's sharpness bar).
(() => {
  const WIDTH = 1280;
  const HEIGHT = 720;
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const context = canvas.getContext("2d");
  let pictures = [];
  let frameMs = 33;
  let motion = "";
  let started = performance.now();

  function draw() {
    const elapsed = performance.now() - started;
    context.fillStyle = "#282828";
    context.fillRect(0, 0, WIDTH, HEIGHT);
    if (!pictures.length) return;
    const picture = pictures[Math.floor(elapsed / frameMs) % pictures.length];
    context.save();
    context.translate(WIDTH / 2, HEIGHT / 2);
    const t = elapsed / 1000;
    if (motion) {
      context.translate(Math.round(24 * Math.sin(t * 2.1)), Math.round(12 * Math.sin(t * 1.3)));
    }
    if (motion === "turn") {
      context.rotate(((4 * Math.PI) / 180) * Math.sin(t * 1.7));
      const scale = 0.975 + 0.025 * Math.sin(t * 2.9);
      context.scale(scale, scale);
    }
    context.drawImage(picture, -Math.round(picture.width / 2), -Math.round(picture.height / 2));
    context.restore();
  }

  async function load(url) {
    const picture = new Image();
    picture.src = url;
    await picture.decode();
    return picture;
  }

  window.fakeCamera = {
    async show(urls, options = {}) {
      pictures = await Promise.all(urls.map(load));
      frameMs = options.frameMs || 33;
      motion = options.motion || "";
      started = performance.now();
      draw();
    },
  };
  setInterval(draw, 66);
  if (navigator.mediaDevices) {
    navigator.mediaDevices.getUserMedia = async () => canvas.captureStream(15);
  }
})();
