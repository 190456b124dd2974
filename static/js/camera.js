// The camera, for the kiosk and for enrollment photos: start it, take a scaled JPEG snapshot,
// and explain in plain words why it could not start.

export async function startCamera(video) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    const error = new Error("no mediaDevices");
    error.name = "InsecureContext";
    throw error;
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  video.srcObject = stream;
  await video.play().catch(() => {}); // autoplay of a muted video is allowed; a refusal is harmless
  if (!video.videoWidth) {
    await new Promise((resolve) => video.addEventListener("loadedmetadata", resolve, { once: true }));
  }
  return stream;
}

export function stopCamera(stream) {
  if (stream) stream.getTracks().forEach((track) => track.stop());
}

export function cameraErrorMessage(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return gettext("Camera access was denied. Allow the camera for this page in the browser settings, then reload the page.");
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return gettext("No camera was found. Connect a camera, then reload the page.");
    case "NotReadableError":
    case "TrackStartError":
      return gettext("The camera is busy in another application. Close it, then reload the page.");
    case "InsecureContext":
      return gettext("This browser cannot use the camera here: open the page over https.");
    default:
      return gettext("The camera could not be started. Reload the page to try again.");
  }
}

// Draws the current video frame, scaled down to at most maxWidth pixels wide, as a JPEG.
// Resolves to { blob, width, height }: the size of the image the server will see.
export function snapshot(video, maxWidth = 640, quality = 0.85) {
  const scale = Math.min(1, maxWidth / video.videoWidth);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => {
        if (blob) resolve({ blob, width: canvas.width, height: canvas.height });
        else reject(new Error("the snapshot could not be encoded"));
      },
      "image/jpeg",
      quality,
    );
  });
}
