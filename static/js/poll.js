// The one poll loop of the pages that follow the server (course page, live session, photo
// and roster imports, a class photo being identified, the enrollment kiosk's photos). Every `every` ms, while the page is
// visible, it fetches `url` (a string, or a function giving the address: the query may
// change), sending the stamp of the last answer as `since` when it holds one; each answer
// goes to `onData`, which returns false when there is nothing more to follow. A failed
// request (offline for a moment, an error answer) is skipped: the next round catches up.
//
//   const loop = poll(url, { every: 1500, stamp: root.dataset.stamp, onData: (data) => … });
//   loop.now();   // a round at once (after the teacher changed something)
//   loop.stop();
export function poll(
  url,
  { onData, every = 1500, first = every, stamp = null, headers = {}, credentials = "same-origin" },
) {
  let since = stamp;
  let timer = null;
  let stopped = false;

  const address = () => {
    const target = new URL(typeof url === "function" ? url() : url, window.location.href);
    if (since !== null) target.searchParams.set("since", since);
    return target;
  };

  async function round() {
    clearTimeout(timer);
    if (stopped) return;
    if (document.visibilityState === "visible") {
      try {
        const response = await fetch(address(), {
          headers: { Accept: "application/json", ...headers },
          credentials, // the enrollment kiosk sends its link's credential, never a cookie
          cache: "no-store",
        });
        if (response.ok) {
          const data = await response.json();
          if (data.stamp !== undefined) since = data.stamp;
          if (onData(data) === false) stopped = true;
        }
      } catch {
        // offline for a moment: the next round catches up
      }
    }
    if (!stopped) timer = setTimeout(round, every);
  }

  timer = setTimeout(round, first);
  return {
    now: round,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    get running() {
      return !stopped;
    },
  };
}
