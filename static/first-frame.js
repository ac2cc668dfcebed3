// Shows the right first frame built ahead of time (src/ui/first_frame.rs, written into the
// site by scripts/prerender) while the wasm arrives; the live page then takes its place
// (src/ui/app.rs). Runs first in the body, before the page is drawn, and marks the <html> element
// for the stylesheet (first-frame-*), which decides what shows:
// - the plain page: index.html's frame as it is;
// - a demo's link at its first step: that demo's frame, fetched from first-frame/NAME.html;
// - any other link, or a session this browser kept (src/ui/browser.rs's keys): the plain
//   page's frame under a "Loading this session" notice, since only the wasm can replay it.
(() => {
  const root = document.documentElement;
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  if (dark) root.classList.add('first-frame-dark');
  // The frame's place exists once the page is parsed, before its deferred scripts run.
  const parsed = new Promise((done) =>
    document.readyState === 'loading' ? document.addEventListener('readystatechange', done, { once: true }) : done(),
  );
  // What the frame was built for and this screen may differ in two ways the live page would
  // then change: the theme button's label (the frame is built light), and the height of a
  // picture not given one by the page (the frame's is drawn for the projector or a 412-px
  // phone, and would scale with the width; the live one keeps its height).
  const fit = (frame) => {
    if (dark) for (const button of frame.querySelectorAll('[data-frame-testid="theme"]')) button.textContent = 'Light theme';
    for (const picture of frame.querySelectorAll('.topology-figure:not(.fill) svg.topology')) {
      picture.style.height = `${picture.viewBox.baseVal.height}px`;
    }
  };
  parsed.then(() => {
    const frame = document.getElementById('first-frame');
    if (frame) fit(frame);
  });
  const fragment = location.hash.replace(/^#/, '');
  let kept = null;
  try {
    kept = localStorage.getItem('replication-playground.fragment');
  } catch {
    // Storage refused (a private window's settings): there is no kept session to open.
  }
  const demo = /^demo=([a-z0-9-]+)(&step=1)?$/.exec(fragment);
  const reopensKept = kept !== null && (fragment === '' || fragment === kept);
  if (reopensKept || (fragment !== '' && !demo)) {
    root.classList.add('first-frame-session');
    return;
  }
  if (!demo) return;
  root.classList.add('first-frame-demo');
  const loaded = fetch(`first-frame/${demo[1]}.html`, { priority: 'high' }).then((response) =>
    response.ok ? response.text() : Promise.reject(new Error(`${response.status}`)),
  );
  Promise.all([loaded, parsed]).then(
    ([html]) => {
      // Gone if the live page was quicker.
      const frame = document.getElementById('first-frame');
      if (!frame) return;
      const demoFrame = document.createElement('div');
      demoFrame.className = 'first-frame-of-demo';
      demoFrame.innerHTML = html;
      fit(demoFrame);
      frame.append(demoFrame);
    },
    () => {
      root.classList.remove('first-frame-demo');
      root.classList.add('first-frame-session');
    },
  );
})();
