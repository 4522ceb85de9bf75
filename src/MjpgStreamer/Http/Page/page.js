// The built-in page of mjpg_streamer: live view, camera controls, stills, pause, state and the URLs to copy.
// Every URL is relative to where the page was loaded ("/" or "/ui/"), so it works behind a proxy's path prefix.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);

  // The API's root: the page's folder, or its parent for "/ui/". Credentials in the address bar (user:password@)
  // are left out: fetch() refuses URLs with them, and the browser sends the credentials it was given by itself.
  const page = new URL(location.href);
  page.username = ''; page.password = ''; page.hash = ''; page.search = '';
  const API = new URL(page.pathname.endsWith('/ui/') ? '../' : './', page);
  const api = (path) => new URL(path, API).href;

  const STATE_EVERY_MS = 2000;      // /state at most every 2 s (1 s right after an action)
  const STALL_MS = 6000;            // no part for this long: the stream is restarted
  const SEND_GAP_MS = 120;          // at most one command per control in flight, and this much apart

  let inputs = [];                  // [{id, name, plugin}] from program.json
  let current = 0;                  // the input shown
  let state = null;                 // the last /state
  let commandsAllowed = true;       // false under output_http.so -n
  let controls = [];                // the shown input's controls (input_N.json)
  let controlsOf = -1;              // the input whose controls the form shows
  let lastBytes = null;             // {at, byKey} for bytes per second

  const suffix = (id) => (id === 0 ? '' : '_' + id);
  const jsonPath = (id) => 'input' + suffix(id) + '.json';

  // ---------- the live view ----------
  const view = $('view');
  const live = {
    abort: null, running: false, backoff: 500, lastPart: 0, frames: 0, shown: [], failed: false, pending: null, busy: false,
    watchdog: 0, retry: 0, gen: 0,
  };

  function setConn(text, cls) {
    const el = $('conn');
    el.textContent = text;
    el.className = 'pill' + (cls ? ' ' + cls : '');
  }

  function startStream() {
    stopStream();
    if (document.hidden || inputs.length === 0) return;
    const controller = new AbortController();
    const gen = ++live.gen;            // frames of an earlier stream (another input) still decoding are not shown
    live.abort = controller;
    live.running = true;
    live.lastPart = performance.now();
    clearInterval(live.watchdog);
    live.watchdog = setInterval(() => {
      if (performance.now() - live.lastPart > STALL_MS) { controller.abort(); }
    }, 1000);
    readStream(current, controller.signal, gen).then(
      () => streamEnded(controller, 'the stream ended'),
      (e) => streamEnded(controller, e && e.name === 'AbortError' ? 'no picture for ' + STALL_MS / 1000 + ' s' : String(e && e.message || e)));
  }

  function stopStream() {
    clearInterval(live.watchdog);
    clearTimeout(live.retry);
    if (live.abort) { const a = live.abort; live.abort = null; a.abort(); }
    live.running = false;
  }

  function streamEnded(controller, why) {
    if (live.abort !== controller) return;      // stopped or replaced on purpose
    live.abort = null;
    clearInterval(live.watchdog);
    live.failed = true;
    live.why = why;
    updateOverlay();
    const wait = live.backoff;
    live.backoff = Math.min(live.backoff * 2, 8000);
    live.retry = setTimeout(startStream, wait);
  }

  const enc = new TextEncoder();
  function indexOf(hay, needle, from) {
    outer: for (let i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  async function readStream(id, signal, gen) {
    const res = await fetch(api('?action=stream' + suffix(id)), { signal, cache: 'no-store' });
    if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
    const type = res.headers.get('Content-Type') || '';
    const boundary = enc.encode('--' + ((/boundary="?([^";]+)"?/i.exec(type) || [])[1] || 'boundarydonotcross'));
    const headEnd = enc.encode('\r\n\r\n');
    const reader = res.body.getReader();
    let buf = new Uint8Array(0);
    let need = -1;          // the body length of the part whose headers were read, -1 while reading headers
    let stamp = NaN;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const joined = new Uint8Array(buf.length + value.length);
      joined.set(buf); joined.set(value, buf.length);
      buf = joined;
      for (;;) {
        if (need < 0) {
          const end = indexOf(buf, headEnd, 0);
          if (end < 0) { if (buf.length > 65536) throw new Error('no part headers'); break; }
          const head = new TextDecoder().decode(buf.subarray(0, end));
          buf = buf.subarray(end + 4);
          const length = /content-length:\s*(\d+)/i.exec(head);
          const ts = /x-timestamp:\s*([\d.]+)/i.exec(head);
          stamp = ts ? parseFloat(ts[1]) : NaN;
          need = length ? parseInt(length[1], 10) : -2;   // -2: no length, up to the next boundary
        }
        let body;
        if (need === -2) {
          const at = indexOf(buf, boundary, 0);
          if (at < 0) break;
          body = buf.slice(0, at);
          buf = buf.subarray(at);
        } else {
          if (buf.length < need) break;
          body = buf.slice(0, need);
          buf = buf.subarray(need);
        }
        need = -1;
        onPart(body, stamp, gen);
      }
    }
  }

  function onPart(jpeg, stamp, gen) {
    if (gen !== live.gen) return;
    live.lastPart = performance.now();
    if (live.failed || live.backoff !== 500) {
      live.failed = false;
      live.backoff = 500;
    }
    if (!Number.isNaN(stamp)) live.latency = Date.now() - stamp * 1000;
    // A frame still being decoded: keep only the newest waiting one (a slow device skips frames, never queues them).
    live.pending = { jpeg, gen };
    if (!live.busy) showNext();
    updateOverlay();
  }

  function showNext() {
    const part = live.pending;
    live.pending = null;
    if (!part) { live.busy = false; return; }
    live.busy = true;
    const url = URL.createObjectURL(new Blob([part.jpeg], { type: 'image/jpeg' }));
    const next = new Image();
    next.src = url;
    next.decode().then(() => {
      if (part.gen !== live.gen) { URL.revokeObjectURL(url); return; }
      const old = $('live');
      next.id = 'live';
      next.alt = old.alt;
      old.replaceWith(next);
      if (old.src.startsWith('blob:')) URL.revokeObjectURL(old.src);
      live.frames++;
      view.dataset.frames = String(live.frames);
      if (live.frames === 1) updateOverlay();
      view.classList.add('has-size');
      const now = performance.now();
      live.shown.push(now);
      while (live.shown.length && now - live.shown[0] > 2000) live.shown.shift();
      live.size = next.naturalWidth + '×' + next.naturalHeight;
      if (now - statsAt > 500) renderStats();
    }, () => URL.revokeObjectURL(url)).finally(() => showNext());
  }

  let statsAt = 0;
  function renderStats() {
    statsAt = performance.now();
    // Frames shown in the last 2 s; a rate only once they span most of a second (a first burst is not a rate).
    const n = live.shown.length;
    const span = n > 1 ? live.shown[n - 1] - live.shown[0] : 0;
    const fresh = n && performance.now() - live.shown[n - 1] < 2500;
    $('st-fps').textContent = !fresh ? (live.frames ? '0' : '–') : span >= 900 ? ((n - 1) * 1000 / span).toFixed(1) : '–';
    $('st-size').textContent = live.size || '–';
    // More than a minute either way: the two clocks disagree, the figure would mean nothing.
    $('st-lat').textContent = live.latency === undefined ? '–'
      : Math.abs(live.latency) > 60000 ? 'n/a (clocks differ)' : Math.round(live.latency) + ' ms';
  }
  setInterval(renderStats, 1000);

  function inputState() {
    return state && state.inputs ? state.inputs.find((i) => i.id === current) : null;
  }

  function updateOverlay() {
    const s = inputState();
    let text = '';
    let pill = ['live', 'live'];
    if (live.failed) {
      text = 'Reconnecting… (' + live.why + ')';
      pill = ['reconnecting…', 'bad'];
    } else if (s) {
      if (s.state === 'released') { text = 'Paused: camera released'; pill = ['paused', '']; }
      else if (s.state === 'paused') { text = 'Pausing…'; pill = ['paused', '']; }
      else if (s.state === 'no_signal') { text = 'NO SIGNAL' + (s.reason ? ': ' + s.reason : ''); pill = ['no signal', 'bad']; }
      else if (s.state === 'starting') text = 'Starting…';
    }
    const waiting = live.frames === 0;
    if (!text && waiting) text = 'Waiting for the first picture…';
    if (inputs.length === 0) { text = 'No input is configured (start with -i "input_….so …")'; pill = ['no input', 'bad']; }
    if (waiting && !live.failed) pill = ['connecting…', ''];
    $('overlay-text').textContent = text;
    $('overlay').hidden = !text;
    $('overlay').classList.toggle('center', waiting);
    setConn(pill[0], pill[1]);
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stopStream(); else { live.backoff = 500; startStream(); }
  });

  $('fullscreen').addEventListener('click', toggleFullscreen);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && view.classList.contains('full')) toggleFullscreen();
    if (e.key === 'f' && e.target === document.body) toggleFullscreen();
  });
  function toggleFullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (view.classList.contains('full')) { view.classList.remove('full'); return; }
    if (view.requestFullscreen) view.requestFullscreen().catch(() => view.classList.add('full'));
    else if (view.webkitRequestFullscreen) view.webkitRequestFullscreen();
    else view.classList.add('full');   // iPhone Safari: no element full screen, the view covers the page instead
  }

  // ---------- state ----------
  let stateTimer = 0;
  function pollStateSoon(ms) {
    clearTimeout(stateTimer);
    stateTimer = setTimeout(pollState, ms);
  }

  async function pollState() {
    clearTimeout(stateTimer);
    if (!document.hidden) {
      try {
        const res = await fetch(api('state'), { cache: 'no-store' });
        if (res.ok) { state = await res.json(); renderState(); }
      } catch (e) { /* the stream's reconnect says it */ }
    }
    pollStateSoon(STATE_EVERY_MS);
  }

  function fmtBytes(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MB';
    if (n >= 1024) return (n / 1024).toFixed(0) + ' KB';
    return n + ' B';
  }

  function fmtUptime(s) {
    s = Math.floor(s);
    const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    if (d) return d + ' d ' + h + ' h';
    if (h) return h + ' h ' + m + ' min';
    if (m) return m + ' min ' + (s % 60) + ' s';
    return s + ' s';
  }

  function renderState() {
    const out = (state.outputs || []).find((o) => o.id === state.output);
    const allowed = out ? out.commands !== false : true;
    if (allowed !== commandsAllowed) { commandsAllowed = allowed; applyControlAccess(); }

    const dl = $('state');
    dl.replaceChildren();
    const row = (label, value, cls) => {
      const dt = document.createElement('dt'); dt.textContent = label;
      const dd = document.createElement('dd'); dd.textContent = value;
      if (cls) dd.className = cls;
      dl.append(dt, dd);
    };
    row('Uptime', fmtUptime(state.uptime_s || 0));
    for (const i of state.inputs || []) {
      const name = (inputs.find((x) => x.id === i.id) || {}).name || i.plugin;
      const parts = [i.state.replace('_', ' ')];
      if (i.state === 'streaming') parts.push(i.fps_captured.toFixed(1) + ' fps');
      if (i.width) parts.push(i.width + '×' + i.height);
      parts.push(i.clients + (i.clients === 1 ? ' viewer' : ' viewers'));
      if (i.reason) parts.push(i.reason);
      row('Input ' + i.id, name + ': ' + parts.join(' · '), i.state === 'streaming' ? 'good' : (i.state === 'no_signal' ? 'bad' : ''));
    }
    const now = performance.now();
    const byKey = new Map();
    for (const o of state.outputs || []) {
      let rate = '';
      if (Array.isArray(o.clients)) {
        let delta = 0;
        let known = 0;
        for (const c of o.clients) {
          const key = o.id + ' ' + c.remote + ' ' + c.path;
          byKey.set(key, c.bytes_sent);
          const before = lastBytes && lastBytes.byKey.get(key);
          if (before !== undefined && before <= c.bytes_sent) { delta += c.bytes_sent - before; known++; }
        }
        // A rate once a client was seen twice (a client that has just come counts from the next look on).
        if (known && now > lastBytes.at) rate = ' · ' + fmtBytes(Math.round(delta * 1000 / (now - lastBytes.at))) + '/s';
        const n = o.clients.length;
        row('Output ' + o.id, (o.port ? 'port ' + o.port + ' · ' : '') + n + (n === 1 ? ' stream client' : ' stream clients') + rate
          + (o.commands === false ? ' · commands off (-n)' : ''));
      } else {
        row('Output ' + o.id, o.plugin);
      }
    }
    lastBytes = { at: now, byKey };
    const p = state.pause || {};
    if (p.paused) {
      row('Pause', 'paused by ' + (p.source || '?') + (p.lock_file && p.source !== 'http' ? ' (' + p.lock_file + ')' : '')
        + (p.since ? ' since ' + new Date(p.since).toLocaleTimeString() : '') + (p.warning ? ' · ' + p.warning : ''), 'bad');
    }
    renderPause();
    updateOverlay();
  }

  // ---------- pause ----------
  let pauseBusy = false;
  function renderPause() {
    const p = (state && state.pause) || {};
    const box = $('pause');
    if (!pauseBusy) box.checked = !!p.paused;
    box.disabled = !commandsAllowed || pauseBusy;
    const s = inputState();
    let text = '';
    if (!commandsAllowed) text = 'commands are off on this server (-n)';
    else if (p.paused && s) text = s.state === 'released' ? 'camera released' : 'releasing the camera…';
    else if (s && s.state === 'streaming') text = 'streaming';
    $('pause-state').textContent = text;
  }

  $('pause').addEventListener('change', async () => {
    const box = $('pause');
    const want = box.checked;
    pauseBusy = true;
    renderPause();
    try {
      const res = await fetch(api('?action=' + (want ? 'pause' : 'resume')), { cache: 'no-store' });
      if (!res.ok) {
        const text = (await res.text()).split('\n').slice(1).join(' ');
        $('pause-state').textContent = 'refused: ' + (text || 'HTTP ' + res.status);
        box.checked = !want;
      }
    } catch (e) {
      box.checked = !want;
    } finally {
      pauseBusy = false;
    }
    pollStateSoon(0);
    setTimeout(() => pollStateSoon(0), 1000);
  });

  // ---------- stills ----------
  async function takePicture(kind) {
    const dialog = $('shot');
    const info = $('shot-info');
    const img = $('shot-img');
    const title = kind === 'still' ? 'Full-resolution still' : 'Snapshot';
    $('shot-title').textContent = title;
    info.textContent = kind === 'still' ? 'Taking a still…' : 'Fetching…';
    info.className = '';
    if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
    img.removeAttribute('src');
    img.alt = '';
    for (const a of [$('shot-open'), $('shot-save')]) a.removeAttribute('href');
    if (!dialog.open) dialog.showModal();
    const started = performance.now();
    try {
      const res = await fetch(api('?action=' + kind + suffix(current)), { cache: 'no-store' });
      if (!res.ok) {
        const text = (await res.text()).split('\n').slice(1).join(' ');
        info.textContent = 'HTTP ' + res.status + ': ' + (text || res.statusText);
        info.className = 'bad';
        return;
      }
      const blob = await res.blob();
      const ms = Math.round(performance.now() - started);
      const url = URL.createObjectURL(blob);
      img.src = url;
      await img.decode();
      img.alt = title + ' of ' + nameOf(current);
      const still = res.headers.get('X-Still-Ms');
      const age = res.headers.get('X-Frame-Age');
      info.textContent = img.naturalWidth + '×' + img.naturalHeight + ' · ' + fmtBytes(blob.size) + ' · took ' + ms + ' ms'
        + (still ? ' (camera ' + still + ' ms)' : '') + (age ? ' · the last frame, ' + age + ' s old' : '');
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
      $('shot-open').href = url;
      $('shot-save').href = url;
      $('shot-save').download = kind + '-' + stamp + '.jpg';
    } catch (e) {
      info.textContent = 'failed: ' + (e && e.message || e);
      info.className = 'bad';
    }
  }
  $('snapshot').addEventListener('click', () => takePicture('snapshot'));
  $('still').addEventListener('click', () => takePicture('still'));

  // ---------- URLs ----------
  function renderUrls() {
    const box = $('urls');
    box.replaceChildren();
    const s = suffix(current);
    const items = [
      ['Stream URL', api('?action=stream' + s)],
      ['Snapshot URL', api('?action=snapshot' + s)],
      ['Full-resolution still URL', api('?action=still' + s)],
      ['Base address (Octolapse)', API.href],
    ];
    items.forEach(([label, url], n) => {
      const wrap = document.createElement('div');
      const l = document.createElement('p');
      l.className = 'label'; l.id = 'url-' + n + '-label'; l.textContent = label;
      const row = document.createElement('div'); row.className = 'copyrow';
      const text = document.createElement('code');
      text.className = 'copytext'; text.id = 'url-' + n; text.tabIndex = 0; text.textContent = url;
      text.setAttribute('aria-labelledby', l.id);
      const b = document.createElement('button');
      b.type = 'button'; b.dataset.copy = text.id; b.textContent = 'Copy';
      b.setAttribute('aria-label', 'Copy the ' + label.toLowerCase());
      row.append(text, b);
      wrap.append(l, row);
      box.append(wrap);
    });
  }

  function selectText(el) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  document.addEventListener('click', async (e) => {
    const b = e.target.closest && e.target.closest('button[data-copy]');
    if (!b) return;
    const el = $(b.dataset.copy);
    let ok = false;
    try {
      if (window.isSecureContext && navigator.clipboard) { await navigator.clipboard.writeText(el.textContent); ok = true; }
    } catch (err) { ok = false; }
    if (!ok) {
      // A page over plain HTTP (not localhost) is not a secure context: no clipboard API there, the selection is copied instead.
      selectText(el);
      try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
    }
    b.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    setTimeout(() => { b.textContent = 'Copy'; }, 1500);
  });
  document.addEventListener('focusin', (e) => {
    if (e.target.classList && e.target.classList.contains('copytext')) selectText(e.target);
  });

  // ---------- controls ----------
  const FLAG_DISABLED = 0x1, FLAG_READ_ONLY = 0x4, FLAG_INACTIVE = 0x10;
  const senders = new Map();        // control id -> {want, sent, busy, at}
  let readBackTimer = 0;
  let userTouched = new Map();      // control id -> when the user last moved it

  async function loadControls() {
    const id = current;
    try {
      const res = await fetch(api(jsonPath(id)), { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const doc = await res.json();
      if (id !== current) return;
      const list = (doc.controls || []).map((c) => ({
        name: c.name, id: c.id, type: +c.type, min: +c.min, max: +c.max, step: +c.step || 1, def: +c.default,
        value: +c.value, dest: +c.dest, flags: +c.flags, group: c.group, menu: c.menu,
      }));
      const same = controlsOf === id && list.length === controls.length
        && list.every((c, n) => c.id === controls[n].id && c.type === controls[n].type);
      controls = list;
      controlsOf = id;
      if (same) updateControls(); else buildControls();
      $('controls-status').textContent = '';
    } catch (e) {
      $('controls-status').textContent = 'could not read the controls: ' + (e && e.message || e);
    }
    renderOptions();
  }

  function isShown(c) { return [1, 2, 3, 4, 6, 9].includes(c.type) && !(c.flags & FLAG_DISABLED); }

  function buildControls() {
    const form = $('controls');
    form.replaceChildren();
    senders.clear();
    const shown = controls.filter(isShown);
    const real = shown.filter((c) => c.type !== 6);
    shown.forEach((c, n) => {
      if (c.type === 6) {
        // A class heading ("User Controls"), only when a control follows it.
        const next = shown[n + 1];
        if (next && next.type !== 6) { const h = document.createElement('h3'); h.textContent = c.name; form.append(h); }
        return;
      }
      const key = 'ctl-' + c.id;
      const div = document.createElement('div');
      div.className = 'ctl';
      div.dataset.id = c.id;
      const label = document.createElement('label');
      label.htmlFor = key;
      label.textContent = c.name;
      let field;
      if (c.type === 1) {
        field = document.createElement('input');
        field.type = 'range'; field.min = c.min; field.max = c.max; field.step = c.step; field.value = c.value;
        const out = document.createElement('output');
        out.htmlFor = key; out.id = key + '-v'; out.textContent = c.value;
        field.addEventListener('input', () => { out.textContent = field.value; changed(c, +field.value); });
        div.append(label, out, field);
      } else if (c.type === 2) {
        div.classList.add('check');
        field = document.createElement('input');
        field.type = 'checkbox'; field.checked = c.value !== 0;
        field.addEventListener('change', () => changed(c, field.checked ? 1 : 0));
        div.append(field, label);
      } else if (c.type === 3 || c.type === 9) {
        field = document.createElement('select');
        for (const [k, v] of Object.entries(c.menu || {})) {
          if (v === '' && c.type === 3) continue;       // indexes the driver does not have
          const o = document.createElement('option');
          o.value = k; o.textContent = c.type === 9 ? k : v;
          field.append(o);
        }
        field.value = String(c.value);
        field.addEventListener('change', () => changed(c, +field.value));
        div.append(label, field);
      } else {
        field = document.createElement('button');
        field.type = 'button'; field.textContent = c.name;
        field.addEventListener('click', () => changed(c, 1, true));
        label.className = 'visually-hidden';
        div.append(label, field);
      }
      field.id = key;
      const why = document.createElement('span');
      why.className = 'why'; why.id = key + '-why';
      div.append(why);
      field.setAttribute('aria-describedby', why.id);
      form.append(div);
    });
    if (real.length === 0) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'This input has no controls.';
      form.append(p);
    }
    $('reset').hidden = real.length === 0;
    updateControls();
  }

  function updateControls() {
    const now = performance.now();
    for (const c of controls) {
      const div = document.querySelector('.ctl[data-id="' + c.id + '"]');
      if (!div) continue;
      const field = $('ctl-' + c.id);
      const sender = senders.get(c.id);
      const moving = (sender && (sender.busy || sender.want !== sender.sent)) || now - (userTouched.get(c.id) || 0) < 800;
      if (!moving) {
        if (sender) { sender.want = c.value; sender.sent = c.value; }
        if (c.type === 1) { field.value = c.value; $('ctl-' + c.id + '-v').textContent = c.value; }
        else if (c.type === 2) field.checked = c.value !== 0;
        else if (c.type === 3 || c.type === 9) field.value = String(c.value);
      }
      const inactive = (c.flags & FLAG_INACTIVE) !== 0;
      const readOnly = (c.flags & FLAG_READ_ONLY) !== 0;
      div.classList.toggle('inactive', inactive);
      field.disabled = inactive || readOnly || !commandsAllowed;
      const why = $('ctl-' + c.id + '-why');
      if (!div.classList.contains('failed')) {
        why.textContent = !commandsAllowed ? '' : inactive ? 'inactive: the camera sets it (an automatic mode is on)' : readOnly ? 'read-only' : '';
      }
    }
  }

  function applyControlAccess() {
    const note = $('controls-note');
    note.hidden = commandsAllowed;
    note.textContent = commandsAllowed ? '' : 'Read-only: this server does not accept commands (output_http.so -n). Restart it without -n to change the camera from here.';
    $('reset').disabled = !commandsAllowed;
    updateControls();
    renderPause();
  }

  function changed(c, value, always) {
    userTouched.set(c.id, performance.now());
    let s = senders.get(c.id);
    if (!s) { s = { want: c.value, sent: c.value, busy: false, at: 0 }; senders.set(c.id, s); }
    s.want = value;
    if (always) s.sent = undefined;
    pump(c, s);
  }

  async function pump(c, s) {
    if (s.busy || s.want === s.sent) return;
    const gap = SEND_GAP_MS - (performance.now() - s.at);
    if (gap > 0) { s.busy = true; setTimeout(() => { s.busy = false; pump(c, s); }, gap); return; }
    s.busy = true;
    const value = s.want;
    s.at = performance.now();
    const ok = await sendCommand(c, value);
    s.sent = value;
    s.busy = false;
    const div = document.querySelector('.ctl[data-id="' + c.id + '"]');
    if (div) {
      div.classList.toggle('failed', !ok.ok);
      const why = $('ctl-' + c.id + '-why');
      if (why && !ok.ok) why.textContent = ok.text;
    }
    if (s.want !== s.sent) { pump(c, s); return; }
    clearTimeout(readBackTimer);
    readBackTimer = setTimeout(loadControls, 250);
  }

  async function sendCommand(c, value) {
    const q = new URLSearchParams({
      action: 'command', id: c.id, dest: String(c.dest || 0), plugin: String(current), group: String(c.group), value: String(value),
    });
    try {
      const res = await fetch(api('?' + q.toString()), { cache: 'no-store' });
      const text = await res.text();
      if (res.status === 501) { commandsAllowed = false; applyControlAccess(); return { ok: false, text: 'commands are off (-n)' }; }
      if (!res.ok) return { ok: false, text: 'refused: HTTP ' + res.status };
      const result = /:\s*(-?\d+)/.exec(text);
      return result && result[1] === '0' ? { ok: true } : { ok: false, text: 'the camera refused ' + value };
    } catch (e) {
      return { ok: false, text: 'not sent: ' + (e && e.message || e) };
    }
  }

  $('reset').addEventListener('click', async () => {
    const button = $('reset');
    button.disabled = true;
    $('controls-status').textContent = 'resetting…';
    // Modes first (auto exposure, auto white balance), then the values they unlock.
    const order = controls.filter((c) => isShown(c) && [1, 2, 3, 9].includes(c.type) && c.value !== c.def && !(c.flags & FLAG_READ_ONLY))
      .sort((a, b) => (a.type === 1 ? 1 : 0) - (b.type === 1 ? 1 : 0));
    let failed = 0;
    for (const c of order) {
      if (!(await sendCommand(c, c.def)).ok) failed++;
    }
    $('controls-status').textContent = order.length === 0 ? 'already at the defaults'
      : failed ? failed + ' of ' + order.length + ' not accepted' : order.length + ' reset';
    button.disabled = !commandsAllowed;
    await loadControls();
  });

  // The controls the input_uvc.so camera options stand for (see its -h): id -> how the option is written.
  const USER = 0x980900, CAMERA = 0x9a0900;
  function renderOptions() {
    const v = new Map(controls.map((c) => [+c.id, c.value]));
    const has = (id) => v.has(id);
    const parts = [];
    const autoOr = (opt, autoId, valueId) => {
      if (has(autoId) && v.get(autoId) === 1) parts.push(opt + ' auto');
      else if (has(valueId)) parts.push(opt + ' ' + v.get(valueId));
    };
    const plain = (opt, id) => { if (has(id)) parts.push(opt + ' ' + v.get(id)); };
    autoOr('-br', USER + 32, USER + 0);
    plain('-co', USER + 1);
    plain('-sh', USER + 27);
    plain('-sa', USER + 2);
    autoOr('-cb', USER + 25, USER + 3);
    autoOr('-wb', USER + 12, USER + 26);
    if (has(CAMERA + 1)) {
      const mode = v.get(CAMERA + 1);
      if (mode === 1 && has(CAMERA + 2)) parts.push('-ex ' + v.get(CAMERA + 2));
      else if (mode === 0) parts.push('-ex auto');
      else if (mode === 2) parts.push('-ex shutter-priority');
      else if (mode === 3) parts.push('-ex aperature-priority');   // sic: the original's spelling, which both accept
    }
    plain('-bk', USER + 28);
    plain('-rot', USER + 34);
    if (has(USER + 20)) parts.push('-hf ' + (v.get(USER + 20) ? 'true' : 'false'));
    if (has(USER + 21)) parts.push('-vf ' + (v.get(USER + 21) ? 'true' : 'false'));
    if (has(USER + 24)) parts.push('-pl ' + (['disabled', '50hz', '60hz', 'auto'][v.get(USER + 24)] || 'auto'));
    autoOr('-gain', USER + 18, USER + 19);
    autoOr('-cagc', USER + 29, USER + 36);
    const box = $('options');
    box.textContent = parts.join(' ');
    box.dataset.empty = 'no input_uvc.so camera options for this input';
  }

  // ---------- inputs ----------
  function nameOf(id) { return (inputs.find((i) => i.id === id) || {}).name || 'input ' + id; }

  function selectInput(id) {
    current = id;
    live.pending = null;
    live.frames = 0;
    live.shown = [];
    live.size = undefined;
    live.latency = undefined;
    view.dataset.frames = '0';
    view.classList.remove('has-size');
    $('live').alt = 'Live view of ' + nameOf(id);
    controls = [];
    renderUrls();
    updateOverlay();
    startStream();
    loadControls();
    renderPause();
    pollStateSoon(1000);
  }

  async function start() {
    try {
      const res = await fetch(api('program.json'), { cache: 'no-store' });
      const doc = await res.json();
      inputs = (doc.inputs || []).map((i) => ({ id: +i.id, name: i.name, plugin: i.plugin }));
    } catch (e) {
      inputs = [{ id: 0, name: 'input 0', plugin: '' }];
    }
    const pick = $('pick');
    pick.replaceChildren(...inputs.map((i) => {
      const o = document.createElement('option');
      o.value = i.id; o.textContent = i.id + ': ' + i.name;
      return o;
    }));
    $('pick-wrap').hidden = inputs.length < 2;
    pick.addEventListener('change', () => selectInput(+pick.value));
    updateOverlay();
    await pollState();
    if (inputs.length) selectInput(inputs[0].id);
  }

  start();
})();
