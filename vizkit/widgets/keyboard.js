// vizkit keyboard stepping: once clicked, an animation answers the keyboard.
//   ← / →  one step     Home / End  first / last     space  play / pause     + / −  speed
//
// One module, two views (Python: vizkit/widgets/keyboard.py), sharing the key map the
// Python side sends (`_keys`: key → action):
//   mode "stepper":  a plotly animation (its frames) drawn here with plotly.js; the actions
//                    run in the browser (plotly animates client-side), and `step`, `playing`,
//                    `speed` are synced back to Python.
//   mode "explorer": a small hint inside an explorer (an ipywidgets box with the class
//                    `vizkit-keys`); the keys of the whole box are sent to Python as actions,
//                    which move the explorer's step slider, Play and speed controls.

const TYPING =
  'input:not([type=button]):not([type=checkbox]):not([type=radio]):not([type=range]),' +
  ' textarea, select, [contenteditable=""], [contenteditable="true"]';
// Elements that take the focus themselves when clicked (everything else gives it to the box).
const FOCUSABLE = 'input, textarea, select, button, a[href], [contenteditable], [tabindex]';
const STEPS = new Set(['next', 'previous', 'first', 'last']);

/** The action a key press asks for, or null when it is not ours to take. */
export function actionFor(event, keys) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return null;
  const action = Object.prototype.hasOwnProperty.call(keys, event.key) ? keys[event.key] : null;
  if (!action) return null;
  const target = event.target instanceof Element ? event.target : null;
  if (target && target.closest(TYPING)) return null; // typing into a text box
  // A focused slider handle moves its own slider with the arrow keys.
  if (target && STEPS.has(action) && target.closest('[role=slider], .noUi-handle')) return null;
  return action;
}

/** Listen for the keys on `box` (focusable; focused when clicked); returns the cleanup. */
function listen(box, keys, run) {
  const onKeydown = (event) => {
    const action = actionFor(event, keys());
    if (!action) return;
    // Ours alone: no page scroll on space / arrows, no notebook shortcut, no button click.
    event.preventDefault();
    event.stopPropagation();
    run(action);
  };
  const onKeyup = (event) => {
    if (actionFor(event, keys())) {
      event.preventDefault(); // a focused button would otherwise "click" on space's keyup
      event.stopPropagation();
    }
  };
  const onPointerdown = (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const control = target && target.closest(FOCUSABLE);
    if (control && control !== box) return;
    // plotly cancels the mousedown (drag handling), which would keep the focus elsewhere
    box.focus({ preventScroll: true });
  };
  box.addEventListener('keydown', onKeydown);
  box.addEventListener('keyup', onKeyup);
  box.addEventListener('pointerdown', onPointerdown, true);
  return () => {
    box.removeEventListener('keydown', onKeydown);
    box.removeEventListener('keyup', onKeyup);
    box.removeEventListener('pointerdown', onPointerdown, true);
  };
}

function hint(text) {
  const line = document.createElement('div');
  line.className = 'vizkit-keys-hint';
  line.textContent = text;
  return line;
}

// ------------------------------------------------------------------ plotly.js, once a page

const PLOTLY_PROMISE = '__vizkitPlotly';

/** plotly.js of the version the figure was built for: the page's own copy when it has that
 * version (JupyterLab's plotly renderer may have loaded one), else one copy from the kernel
 * (the plotly package's plotly.min.js, gzipped), shared by every Stepper on the page. */
function loadPlotly(model) {
  const version = model.get('_plotly_version');
  if (window.Plotly && window.Plotly.version === version) return Promise.resolve(window.Plotly);
  const cached = window[PLOTLY_PROMISE];
  if (cached && cached.version === version) return cached.promise;
  const promise = new Promise((resolve, reject) => {
    const gzip = typeof DecompressionStream !== 'undefined';
    const onMessage = async (msg, buffers) => {
      if (!msg || msg.type !== 'plotly.js') return;
      model.off('msg:custom', onMessage);
      try {
        let blob = new Blob([buffers[0]]);
        if (msg.gzip) {
          const stream = blob.stream().pipeThrough(new DecompressionStream('gzip'));
          blob = await new Response(stream).blob();
        }
        const module = { exports: {} };
        const previous = window.Plotly;
        // The bundle is UMD: given `module`, it exports plotly.js there (and, at its end, sets
        // window.Plotly, which is put back: the page's own copy stays the page's).
        new Function('module', 'exports', await blob.text())(module, module.exports);
        if (previous) window.Plotly = previous;
        resolve(module.exports);
      } catch (err) {
        reject(err);
      }
    };
    model.on('msg:custom', onMessage);
    model.send({ type: 'plotly.js?', gzip });
  });
  window[PLOTLY_PROMISE] = { version, promise };
  promise.catch(() => {
    if (window[PLOTLY_PROMISE] && window[PLOTLY_PROMISE].promise === promise) {
      delete window[PLOTLY_PROMISE]; // the next Stepper asks again
    }
  });
  return promise;
}

// ------------------------------------------------------------------ the two views

const JUMP = { frame: { duration: 0, redraw: true }, transition: { duration: 0 }, mode: 'immediate' };
const STOP = { frame: { duration: 0, redraw: false }, transition: { duration: 0 }, mode: 'immediate' };

async function renderStepper({ model, el }) {
  el.classList.add('vizkit-keys', 'vizkit-stepper');
  el.tabIndex = 0;
  el.setAttribute('aria-label', 'animation: click, then ← → step, space play/pause, + − speed');
  const plot = document.createElement('div');
  plot.className = 'vizkit-stepper-plot';
  const line = hint('');
  el.append(plot, line);

  let Plotly;
  try {
    Plotly = await loadPlotly(model);
  } catch (err) {
    line.textContent = `⚠ could not load plotly.js: ${err}`;
    throw err;
  }
  const figure = JSON.parse(model.get('_figure'));
  const names = (figure.frames || []).map((f) => String(f.name));
  const last = names.length - 1;
  const speeds = model.get('_speeds'); // [[name, ms], …], slowest first
  const msOf = (name) => (speeds.find((s) => s[0] === name) || speeds[0])[1];
  let current = 0;
  let playing = false;

  const describe = () => {
    line.textContent =
      `⌨ click the figure, then: ← → step · space ${playing ? 'pause' : 'play'} · ` +
      `+ − speed (${model.get('speed')}) · step ${current + 1} of ${names.length}`;
  };
  const sync = (key, value) => {
    if (model.get(key) !== value) {
      model.set(key, value);
      model.save_changes();
    }
  };
  const setPlaying = (value) => {
    playing = value;
    sync('playing', value);
    describe();
  };
  const show = (i) => Plotly.animate(plot, [names[i]], JUMP);
  const pause = () => {
    if (playing) Plotly.animate(plot, [null], STOP);
    setPlaying(false);
  };
  const play = () => {
    const from = current >= last ? 0 : current + 1;
    setPlaying(true);
    const options = { ...JUMP, frame: { duration: msOf(model.get('speed')), redraw: true } };
    Plotly.animate(plot, names.slice(from), options);
  };
  const goTo = (i) => {
    if (playing) pause();
    show(Math.max(0, Math.min(last, i)));
  };
  const shiftSpeed = (by) => {
    const index = speeds.findIndex((s) => s[0] === model.get('speed'));
    const next = speeds[Math.max(0, Math.min(speeds.length - 1, index + by))][0];
    model.set('speed', next);
    model.save_changes();
  };
  const run = (action) => {
    if (action === 'next') goTo(current + 1);
    else if (action === 'previous') goTo(current - 1);
    else if (action === 'first') goTo(0);
    else if (action === 'last') goTo(last);
    else if (action === 'play_pause') (playing ? pause : play)();
    else if (action === 'faster') shiftSpeed(+1);
    else if (action === 'slower') shiftSpeed(-1);
  };

  await Plotly.newPlot(plot, figure.data, figure.layout, {
    displaylogo: false,
    ...(figure.config || {}),
  });
  if (names.length) await Plotly.addFrames(plot, figure.frames);

  // Whoever moved the animation (a key, plotly's own buttons and slider, Python): follow it.
  plot.on('plotly_animatingframe', (event) => {
    const i = names.indexOf(String(event.name));
    if (i < 0) return;
    current = i;
    sync('step', i);
    describe();
  });
  plot.on('plotly_animated', () => {
    if (playing && current >= last) setPlaying(false);
  });
  plot.on('plotly_buttonclicked', (event) => {
    const args = (event.button && event.button.args) || [];
    if (args[0] === null) {
      const ms = args[1] && args[1].frame && args[1].frame.duration;
      const named = speeds.find((s) => s[1] === ms);
      if (named) sync('speed', named[0]);
      setPlaying(true);
    } else if (Array.isArray(args[0]) && args[0][0] === null) {
      setPlaying(false);
    }
  });
  plot.on('plotly_sliderchange', (event) => {
    if (event.interaction && playing) setPlaying(false);
  });

  const onStep = () => {
    const i = model.get('step');
    if (i !== current && i >= 0 && i <= last) goTo(i);
  };
  const onPlaying = () => {
    const value = model.get('playing');
    if (value && !playing) play();
    else if (!value && playing) pause();
  };
  const onSpeed = () => {
    if (playing) play(); // continue from here at the new speed
    describe();
  };
  model.on('change:step', onStep);
  model.on('change:playing', onPlaying);
  model.on('change:speed', onSpeed);
  const stop = listen(el, () => model.get('_keys'), run);
  describe();
  if (model.get('step') !== 0) onStep();
  if (model.get('playing')) onPlaying();
  return () => {
    stop();
    model.off('change:step', onStep);
    model.off('change:playing', onPlaying);
    model.off('change:speed', onSpeed);
    Plotly.purge(plot);
  };
}

function renderExplorerKeys({ model, el }) {
  el.classList.add('vizkit-keys-control');
  el.append(hint('⌨ click, then ← → step · space play · + − speed'));
  let stop = null;
  let cancelled = false;
  let tries = 0;
  // The explorer's box is an ancestor once this view is in the page.
  const attach = () => {
    if (cancelled) return;
    const box = el.closest('.vizkit-keys');
    if (!box) {
      if (tries++ < 600) requestAnimationFrame(attach);
      return;
    }
    if (!box.hasAttribute('tabindex')) box.tabIndex = 0;
    stop = listen(box, () => model.get('_keys'), (action) => model.send({ type: 'action', action }));
  };
  attach();
  return () => {
    cancelled = true;
    if (stop) stop();
  };
}

function render(context) {
  return context.model.get('_mode') === 'stepper' ? renderStepper(context) : renderExplorerKeys(context);
}

export default { render };
