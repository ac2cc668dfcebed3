// The panel shown when the page's wasm stops (a Rust panic or a wasm trap): the wasm can no
// longer run, so the panel and its buttons are plain JS and DOM. wasm-bindgen serves this
// file as a module beside the page's own script (no inline script, so the CSP holds).

let panicMessage = null;
let storedKeys = [];
let lastInput = null;

// Called once at start with the localStorage keys of the kept session: errors from then on
// that mean the wasm is dead show the panel.
export function watchForCrashes(keys) {
  storedKeys = keys;
  window.addEventListener('error', (event) => {
    if (panicMessage !== null || event.error instanceof WebAssembly.RuntimeError) {
      showCrashPanel(event.error);
    }
  });
  window.addEventListener('unhandledrejection', (event) => {
    if (panicMessage !== null || event.reason instanceof WebAssembly.RuntimeError) {
      showCrashPanel(event.reason);
    }
  });
}

// Called with each thing the user asks for, before the page does it.
export function noteInput(input) {
  lastInput = input;
}

// Called by the Rust panic hook, just before the wasm aborts.
export function notePanic(message) {
  panicMessage = message;
  showCrashPanel(null);
}

function sessionLink() {
  const kept = storedKeys.length > 1 ? localStorage.getItem(storedKeys[1]) : null;
  const fragment = kept ?? location.hash.replace(/^#/, '');
  return `${location.origin}${location.pathname}#${fragment}`;
}

function report(error) {
  const link = sessionLink();
  const seed = /[#&]seed=([^&]*)/.exec(link)?.[1] ?? '1';
  return [
    `What happened: ${panicMessage ?? String(error)}`,
    `Last input: ${lastInput ?? '(none yet: the page was opening)'}`,
    `Seed: ${seed}`,
    `The session (settings and every action, replayable): ${link}`,
    `Browser: ${navigator.userAgent}`,
  ].join('\n');
}

function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showCrashPanel(error) {
  const existing = document.querySelector('[data-testid="crash-panel"]');
  const text = report(error);
  if (existing) {
    existing.querySelector('[data-testid="crash-report"]').value = text;
    return;
  }
  const panel = element('div', { class: 'crash-panel', role: 'alertdialog', 'aria-labelledby': 'crash-title', 'data-testid': 'crash-panel' });
  const box = element('div', { class: 'crash-box' });
  box.append(
    element('h2', { id: 'crash-title' }, 'The playground stopped'),
    element('p', {}, 'Something went wrong inside the page and it cannot go on. Nothing you did was lost: the report below holds the seed and every action of your session, and its link replays it. Please send the report to whoever looks after this playground.'),
  );
  const area = element('textarea', { readonly: '', rows: '6', 'data-testid': 'crash-report', 'aria-label': 'error report' });
  area.value = text;
  const copy = element('button', { type: 'button', 'data-testid': 'crash-copy' }, 'Copy the report');
  copy.addEventListener('click', () => {
    area.select();
    navigator.clipboard?.writeText(area.value).then(
      () => (copy.textContent = 'Copied'),
      () => (copy.textContent = 'Selected: press Ctrl+C'),
    );
  });
  const reload = element('button', { type: 'button', 'data-testid': 'crash-reload' }, 'Reload this session');
  reload.addEventListener('click', () => location.reload());
  const reset = element('button', { type: 'button', 'data-testid': 'crash-reset' }, 'Start afresh');
  reset.addEventListener('click', () => {
    for (const key of storedKeys) localStorage.removeItem(key);
    history.replaceState(null, '', location.pathname + location.search);
    location.reload();
  });
  const actions = element('div', { class: 'crash-actions' });
  actions.append(copy, reload, reset);
  box.append(area, actions);
  panel.append(box);
  document.body.append(panel);
  reset.focus();
}
