/* app.js -- the fabtwin dashboard in the browser.
 *
 * Reads the model once (/api/model), then follows the plant through the
 * server's event stream (/api/events: one `state` document per step) and
 * redraws the layout, the KPI tiles and the charts from it; the station
 * state shares come from /api/kpis every two seconds. The layout is laid out
 * from the routes: a station's column is its longest distance from a route's
 * start, stations of one column are stacked. Names are set as text, never
 * as HTML.
 *
 * A model with an AGV layout (`layout` in /api/model) is drawn to scale
 * instead: the path network under smaller station boxes and the vehicles
 * moving on it (fleet.js), an AGV tile and a chart of the vehicles' state
 * shares (from /api/kpis `fleet`); a click on a vehicle opens its panel.
 *
 * Twin mode (the state's `mode` is "twin": `fabtwin serve --twin`): the
 * plant cannot be paused, so the controls go; stale stations are hatched
 * grey with a dashed outline and say 过期 / stale; the shift forecast panel
 * draws every forecast (/api/forecast, then `forecast` events) as a P10–P90
 * band and P50 against the target; state shares come with each state. */
'use strict';

const STATE_COLOURS = {
  working: '#16a34a', setup: '#2563eb', starved: '#facc15', blocked: '#f97316',
  failed: '#dc2626', maintenance: '#9333ea', off_shift: '#9ca3af',
};
const STATES = Object.keys(STATE_COLOURS);
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

let model = null;
let twin = false;
let token = '';
let selected = null;           // the station in the panel ...
let selectedVehicle = null;    // ... or the vehicle
let lastKpis = null;
let lastState = null;
const series = { t: [], throughput: [], wip: [] };
const forecasts = new Map();   // time_s -> forecast document
let charts = {};

function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

function clock(t) {
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const d = Math.floor(t / 86400);
  const s = t - d * 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(Math.floor(s % 60)).padStart(2, '0');
  return `${days[d % 7]} ${hh}:${mm}:${ss}` + (d >= 7 ? ` (week ${Math.floor(d / 7) + 1})` : '');
}

/* ---- layout ------------------------------------------------------------- */

function columnsOf(m) {
  const col = {};
  for (const s of m.stations) col[s.name] = 0;
  // Longest-path depth over the route edges; routes are short, so relax |stations| times.
  for (let pass = 0; pass < m.stations.length; pass++) {
    let changed = false;
    for (const p of m.products)
      for (let k = 1; k < p.route.length; k++) {
        const a = p.route[k - 1], b = p.route[k];
        if (a !== b && col[b] < col[a] + 1 && col[a] + 1 < m.stations.length) {
          col[b] = col[a] + 1;
          changed = true;
        }
      }
    if (!changed) break;
  }
  return col;
}

/* Boxes in columns by route depth, when the model has no floor plan. */
function byRoute(m, root, W, H, GX, GY) {
  const col = columnsOf(m);
  const byCol = {};
  for (const s of m.stations) (byCol[col[s.name]] ||= []).push(s);
  const nCols = Math.max(...Object.keys(byCol).map(Number)) + 1;
  const nRows = Math.max(...Object.values(byCol).map((l) => l.length));
  root.setAttribute('viewBox', `0 0 ${nCols * (W + GX)} ${nRows * (H + GY) + 10}`);
  const pos = {};
  for (const [c, list] of Object.entries(byCol))
    list.forEach((s, r) => { pos[s.name] = { x: Number(c) * (W + GX) + 10, y: r * (H + GY) + 10 }; });
  return pos;
}

/* Boxes centred on the stations' floor positions (`at:`, metres; y grows
 * upwards on a plan, downwards on the screen), with a scale bar. */
function toScale(m, root, W, H) {
  const xs = m.stations.map((s) => s.at[0]), ys = m.stations.map((s) => s.at[1]);
  let dmin = Infinity;
  for (const a of m.stations)
    for (const b of m.stations)
      if (a !== b) {
        const d = Math.max(Math.abs(a.at[0] - b.at[0]) / (W + 20), Math.abs(a.at[1] - b.at[1]) / (H + 20));
        if (d > 0) dmin = Math.min(dmin, d);
      }
  const k = Number.isFinite(dmin) ? 1 / dmin : 20;          // units per metre: no two boxes overlap
  const x0 = Math.min(...xs), y1 = Math.max(...ys), pad = 30;
  const width = (Math.max(...xs) - x0) * k + W + 2 * pad, height = (y1 - Math.min(...ys)) * k + H + 2 * pad + 30;
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const pos = {};
  for (const s of m.stations)
    pos[s.name] = { x: pad + (s.at[0] - x0) * k, y: pad + (y1 - s.at[1]) * k };
  const metres = [1, 2, 5, 10, 20, 50, 100].find((d) => d * k >= 80) || 100;
  const bar = svg('g', { class: 'scale', transform: `translate(${pad},${height - 20})` }, root);
  svg('line', { x1: 0, y1: 0, x2: metres * k, y2: 0, stroke: '#374151', 'stroke-width': 2 }, bar);
  svg('text', { x: 0, y: -6 }, bar).textContent = `${metres} m`;
  return pos;
}

/* A station's box: its size and where its lines go (user units). */
const BOX = { W: 170, H: 86, pad: 8, name: 20, info: 40, bar: 52, barH: 10, queue: 78 };
const BOX_COMPACT = { W: 112, H: 56, pad: 6, name: 15, info: 28, bar: 34, barH: 6, queue: 51 };

function drawLayout(m) {
  const root = $('layout');
  root.textContent = '';
  const defs = svg('defs', {}, root);
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
    markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
  svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#9ca3af' }, marker);
  const hatch = svg('pattern', { id: 'stale-hatch', patternUnits: 'userSpaceOnUse', width: 8, height: 8,
    patternTransform: 'rotate(45)' }, defs);
  svg('rect', { width: 8, height: 8, fill: '#d1d5db' }, hatch);
  svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, stroke: '#9ca3af', 'stroke-width': 3 }, hatch);

  const agv = fleetPresent(m);
  const box = agv ? BOX_COMPACT : BOX;
  const W = box.W, H = box.H, GX = 60, GY = 30;
  const pos = agv ? fleetPlace(m, root, W, H)
    : m.stations.every((s) => Array.isArray(s.at)) ? toScale(m, root, W, H) : byRoute(m, root, W, H, GX, GY);

  const edges = new Set();          // route arrows; with AGVs the network shows the ways instead
  if (!agv)
    for (const p of m.products)
      for (let k = 1; k < p.route.length; k++) edges.add(p.route[k - 1] + '\u0000' + p.route[k]);
  for (const e of edges) {
    const [a, b] = e.split('\u0000');
    if (a === b || !pos[a] || !pos[b]) continue;
    // from box edge to box edge along the line between the centres
    const ax = pos[a].x + W / 2, ay = pos[a].y + H / 2, bx = pos[b].x + W / 2, by = pos[b].y + H / 2;
    const dx = bx - ax, dy = by - ay;
    const t = Math.min(Math.abs(W / 2 / (dx || 1e-9)), Math.abs(H / 2 / (dy || 1e-9)));
    if (t >= 0.5) continue;                                  // boxes touch: no room for an arrow
    svg('path', { class: 'edge', d: `M ${ax + dx * t} ${ay + dy * t} L ${bx - dx * (t + 0.02)} ${by - dy * (t + 0.02)}` }, root);
  }
  for (const s of m.stations) {
    const g = svg('g', { class: 'station', 'data-station': s.name, transform: `translate(${pos[s.name].x},${pos[s.name].y})` }, root);
    svg('title', {}, g).textContent = s.name;
    svg('rect', { class: 'box', width: W, height: H, fill: STATE_COLOURS.starved }, g);
    const name = svg('text', { x: box.pad, y: box.name, class: 'name' }, g);
    name.textContent = s.name;
    const info = svg('text', { x: box.pad, y: box.info, class: 'info' }, g);
    info.textContent = `${s.servers} server${s.servers > 1 ? 's' : ''}`;
    svg('rect', { class: 'queue-bg', x: box.pad, y: box.bar, width: W - 2 * box.pad, height: box.barH }, g);
    svg('rect', { class: 'queue-fill', x: box.pad, y: box.bar, width: 0, height: box.barH }, g);
    const q = svg('text', { x: box.pad, y: box.queue, class: 'queue-text' }, g);
    q.textContent = s.buffer || 'queue';
    g.addEventListener('click', () => openPanel(s.name));
  }
  if (agv) {
    fleetDrawVehicles(root);
    fleetLegend($('legend-agv'), !twin);
  }
  const legend = $('legend');
  legend.textContent = '';
  for (const st of STATES) {
    const span = document.createElement('span');
    span.style.setProperty('--c', STATE_COLOURS[st]);
    span.textContent = st.replace('_', ' ');
    legend.appendChild(span);
  }
  if (twin) {
    const span = document.createElement('span');
    span.className = 'stale-key';
    span.textContent = '过期 stale';
    legend.appendChild(span);
  }
}

function updateLayout(state) {
  for (const st of state.stations) {
    const g = document.querySelector(`g.station[data-station="${CSS.escape(st.name)}"]`);
    if (!g) continue;
    g.setAttribute('data-state', st.state);
    g.querySelector('rect.box').setAttribute('fill', STATE_COLOURS[st.state] || '#e5e7eb');
    const cap = st.capacity > 0 ? st.capacity : Math.max(10, st.queue);
    const W = Number(g.querySelector('rect.queue-bg').getAttribute('width'));
    g.querySelector('rect.queue-fill').setAttribute('width', String(W * Math.min(1, st.queue / cap)));
    const s = model.stations.find((x) => x.name === st.name);
    g.querySelector('text.queue-text').textContent =
      `${s && s.buffer ? s.buffer : 'queue'}: ${st.queue}${st.capacity > 0 ? ' / ' + st.capacity : ''}`;
    const shown = `${st.state.replace('_', ' ')} · ${st.processed} done`;
    g.classList.toggle('stale', !!st.stale);
    g.querySelector('text.info').textContent = st.stale ? `过期 stale · ${st.state.replace('_', ' ')}` : shown;
    g.querySelector('title').textContent = st.stale ? `${st.name}: 过期 / stale (${staleWhy(state, st)})` : st.name;
  }
}

/* ---- tiles, charts ------------------------------------------------------ */

function fmt(x, digits) {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function updateTiles(s) {
  $('clock').textContent = clock(s.time_s);
  $('k-throughput').textContent = fmt(s.throughput_per_hour, 1);
  $('k-takt').textContent = s.takt_s > 0 ? fmt(s.takt_s, 0) : '–';
  $('k-oee').textContent = fmt(100 * s.oee_mean, 1);
  $('k-wip').textContent = String(s.wip);
  $('k-produced').textContent = String(s.produced);
  $('k-bottleneck').textContent = s.bottleneck || '–';
  if (twin) {
    const t = s.twin;
    $('mode').textContent = `twin · ${t.source === 'mqtt' ? 'MQTT' : 'replay ' + (s.speed > 0 ? s.speed + '×' : 'max')}` +
      (s.running ? '' : ' · ended') + ` · ${t.accepted}/${t.received} messages`;
    return;
  }
  $('play').textContent = s.running ? 'Pause' : 'Run';
  const speed = $('speed'), shown = String(s.speed);
  if (![...speed.options].some((o) => o.value === shown)) speed.add(new Option(`${s.speed}×`, shown));
  speed.value = shown;
}

function makeCharts() {
  const line = (id, label, colour) => new Chart($(id), {
    type: 'line',
    data: { labels: [], datasets: [{ label, data: [], borderColor: colour, pointRadius: 0, tension: 0.2 }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { ticks: { maxTicksLimit: 8 } }, y: { beginAtZero: true } } },
  });
  charts.throughput = line('c-throughput', 'items per hour (last hour)', '#2563eb');
  charts.wip = line('c-wip', 'items in the plant', '#f97316');
  if (twin) charts.forecast = forecastChart();
  charts.states = new Chart($('c-states'), {
    type: 'bar',
    data: { labels: model.stations.map((s) => s.name),
      datasets: STATES.map((st) => ({ label: st, data: [], backgroundColor: STATE_COLOURS[st] })) },
    options: { animation: false, responsive: true, maintainAspectRatio: false, indexAxis: 'y',
      scales: { x: { stacked: true, max: 100, title: { display: true, text: '% of time' } }, y: { stacked: true } } },
  });
  if (showsFleet()) {
    charts.agv = new Chart($('c-agv'), {
      type: 'bar',
      data: { labels: [], datasets: VEHICLE_STATES.map((st) => ({ label: VEHICLE_LABELS[st], data: [],
        backgroundColor: VEHICLE_COLOURS[st] })) },
      options: { animation: false, responsive: true, maintainAspectRatio: false, indexAxis: 'y',
        scales: { x: { stacked: true, max: 100, title: { display: true, text: '% of time' } }, y: { stacked: true } } },
    });
  }
}

function updateSeries(s) {
  const n = series.t.length;
  if (n && s.time_s <= series.t[n - 1]) {          // restarted
    if (s.time_s < series.t[n - 1]) { series.t.length = 0; series.throughput.length = 0; series.wip.length = 0; }
    else return;
  }
  series.t.push(s.time_s);
  series.wip.push(s.wip);
  // output rate over the last simulated hour, from the produced counter
  series.throughput.push(s.produced);
  const keep = 600;
  if (series.t.length > keep) for (const k of Object.keys(series)) series[k].splice(0, series[k].length - keep);
  const labels = series.t.map(clock);
  const rate = series.t.map((t, i) => {
    let j = i;
    while (j > 0 && t - series.t[j - 1] <= 3600) j--;
    const dt = t - series.t[j];
    return dt > 0 ? (series.throughput[i] - series.throughput[j]) * 3600 / dt : null;
  });
  charts.throughput.data.labels = labels;
  charts.throughput.data.datasets[0].data = rate;
  charts.wip.data.labels = labels;
  charts.wip.data.datasets[0].data = series.wip.slice();
  charts.throughput.update();
  charts.wip.update();
}

function drawShares(shares) {
  STATES.forEach((st, i) => {
    charts.states.data.datasets[i].data = model.stations.map((s) => 100 * (shares(s.name)[st] || 0));
  });
  charts.states.update();
}

async function refreshStates() {
  if (twin) {                       // the shares come with every state
    if (lastState) drawShares((name) => (lastState.stations.find((x) => x.name === name) || {}).states || {});
    return;
  }
  try {
    const r = await fetch('api/kpis');
    if (!r.ok) return;
    const k = await r.json();
    lastKpis = k;
    drawWarnings(k.warnings || []);
    drawShares((name) => (k.stations.find((y) => y.name === name) || {}).states || {});
    if (k.fleet) drawFleet(k.fleet);
  } catch (e) { /* the next tick tries again */ }
}

/* Work that waits and can never start, or figures that do not add up
 * (docs/kpis.md#warnings): one line each, above the layout. */
function drawWarnings(list) {
  const box = $('warnings');
  box.hidden = list.length === 0;
  box.replaceChildren(...list.map((w) => {
    const p = document.createElement('p');
    p.textContent = `⚠ ${w.what.replaceAll('_', ' ')} since ${clock(w.since_s)}: ${w.message}`;
    return p;
  }));
}

/* The AGV tile and chart: utilization and state shares per vehicle. */
function drawFleet(f) {
  $('k-agv').textContent = fmt(100 * f.utilization, 1);
  $('k-agv-unit').textContent = `% busy · held by traffic ${fmt(100 * f.blocked, 1)} %`;
  if (!charts.agv) return;
  const list = f.per_vehicle || [];
  charts.agv.data.labels = list.map((v) => `${v.name} (${fmt(100 * v.utilization, 0)} %)`);
  VEHICLE_STATES.forEach((st, i) => {
    charts.agv.data.datasets[i].data = list.map((v) => 100 * ((v.states || {})[st] || 0));
  });
  charts.agv.update();
}

/* ---- the station panel -------------------------------------------------- */

async function openPanel(name) {
  selected = name;
  selectedVehicle = null;
  $('panel').hidden = false;
  $('panel').dataset.kind = 'station';
  $('panel-title').textContent = name;
  $('panel-history-title').hidden = $('panel-history').hidden = false;
  await refreshPanel();
}

function openVehiclePanel(name) {
  selected = null;
  selectedVehicle = name;
  $('panel').hidden = false;
  $('panel').dataset.kind = 'vehicle';
  $('panel-title').textContent = name;
  $('panel-history-title').hidden = $('panel-history').hidden = true;
  refreshPanel();
}

async function refreshPanel() {
  if (selectedVehicle) {
    const table = $('panel-kpis');
    table.textContent = '';
    for (const [label, value] of fleetPanelRows(selectedVehicle, lastState, lastKpis)) {
      const tr = table.insertRow();
      tr.insertCell().textContent = label;
      tr.insertCell().textContent = value;
    }
    return;
  }
  if (!selected) return;
  const r = await fetch('api/stations/' + encodeURIComponent(selected));
  if (!r.ok) return;
  const d = await r.json();
  const table = $('panel-kpis');
  table.textContent = '';
  const row = (label, value) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = label;
    tr.insertCell().textContent = value;
  };
  const k = d.kpis || {};
  const now = lastState && lastState.stations.find((s) => s.name === selected) || {};
  row('state now', now.state || '–');
  if (twin) {
    row('过期 / stale', now.stale ? 'yes: ' + staleWhy(lastState, now) : 'no');
    row('gateway', now.gateway || '–');
    row('jobs seen', String(k.jobs ?? '–'));
    row('mean process time', `${fmt(k.process_mean_s, 1)} s (model ${fmt(k.model_process_mean_s, 1)} s)`);
    row('failures', String(k.failures ?? '–'));
    row('drift from the model', k.process_time_drift ? 'yes' : 'no');
    row('utilization', fmt(100 * now.utilization, 1) + ' %');
  } else {
    row('utilization', fmt(100 * k.utilization, 1) + ' %');
    row('availability', fmt(100 * k.availability, 1) + ' %');
    row('OEE', fmt(100 * k.oee, 1) + ' %');
    row('processed', String(k.processed ?? '–'));
    for (const st of STATES) if (k.states && k.states[st] > 0) row(st.replace('_', ' '), fmt(100 * k.states[st], 1) + ' %');
  }
  const list = $('panel-history');
  list.textContent = '';
  for (const h of (d.history || []).slice(-30).reverse()) {
    const li = document.createElement('li');
    li.textContent = `${clock(h.time_s)} ${h.state.replace('_', ' ')}`;
    list.appendChild(li);
  }
}

/* ---- twin mode: staleness and the shift forecast -------------------------- */

function setMode(s) {
  twin = s.mode === 'twin';
  document.body.classList.toggle('twin', twin);
  $('controls').hidden = twin;
  for (const el of document.querySelectorAll('.twin-only')) el.hidden = !twin;
  for (const el of document.querySelectorAll('.sim-only')) el.hidden = twin;
}

/* The AGV tile and chart: a simulated fleet (telemetry does not report one). */
function showsFleet() {
  return !twin && model && model.vehicles > 0;
}

function setFleetShown() {
  for (const el of document.querySelectorAll('.fleet-only')) el.hidden = !showsFleet();
  for (const el of document.querySelectorAll('.layout-only')) el.hidden = !fleetPresent(model);
}

function staleWhy(state, st) {
  const g = state && state.twin && state.twin.gateways.find((x) => x.name === st.gateway);
  if (!g) return 'no gateway has reported it';
  if (!g.alive) return `gateway ${g.name} died`;
  return `nothing from gateway ${g.name} since ${clock(g.last_s)}`;
}

function forecastChart() {
  const line = (label, colour, extra) => ({ label, data: [], borderColor: colour, backgroundColor: colour,
    pointRadius: 2, tension: 0.1, ...extra });
  return new Chart($('c-forecast'), {
    type: 'line',
    data: { labels: [], datasets: [
      line('P10', 'rgba(37, 99, 235, 0.5)', { pointRadius: 0, borderWidth: 1 }),
      line('P90 (band: P10–P90)', 'rgba(37, 99, 235, 0.5)', { pointRadius: 0, borderWidth: 1,
        fill: '-1', backgroundColor: 'rgba(37, 99, 235, 0.18)' }),
      line('P50', '#1d4ed8', { borderWidth: 2 }),
      line('target', '#dc2626', { pointRadius: 0, borderDash: [6, 4] }),
    ] },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { title: { display: true, text: 'shift output (items)' } } } },
  });
}

function addForecast(f) {
  if (f && f.time_s != null) forecasts.set(f.time_s, f);
}

function updateForecast() {
  const list = [...forecasts.values()].sort((a, b) => a.time_s - b.time_s);
  const last = list[list.length - 1];
  $('forecast').dataset.forecasts = String(list.length);
  if (!last || !charts.forecast) return;
  const pct = last.p_target == null ? '–' : fmt(100 * last.p_target, 0);
  $('k-ptarget').textContent = pct;
  $('k-ptarget-unit').textContent = last.target == null ? 'no target set' : `% · target ${last.target}`;
  $('k-p50').textContent = fmt(last.p50, 0);
  $('k-p50-unit').textContent = `P10–P90: ${fmt(last.p10, 0)}–${fmt(last.p90, 0)}`;
  $('f-ptarget').textContent = last.p_target == null ? '– (no --target)' : pct + ' %';
  $('f-band').textContent = `${fmt(last.p50, 0)} (${fmt(last.p10, 0)}–${fmt(last.p90, 0)})`;
  $('f-target').textContent = last.target == null ? '–' : String(last.target);
  $('f-bottleneck').textContent = last.bottleneck || '–';
  $('f-so-far').textContent = String(last.so_far);
  $('f-end').textContent = clock(last.shift_end_s);
  $('f-made').textContent = `${clock(last.time_s)}, ${last.replications} replications`;
  $('f-stale').textContent = String(last.stale_stations);
  const c = charts.forecast;
  c.data.labels = list.map((f) => clock(f.time_s));
  const ds = c.data.datasets;
  ds[0].data = list.map((f) => f.p10);
  ds[1].data = list.map((f) => f.p90);
  ds[2].data = list.map((f) => f.p50);
  ds[3].data = list.map((f) => f.target);
  c.update();
}

async function loadForecasts() {
  try {
    const r = await fetch('api/forecast');
    if (!r.ok) return;
    const d = await r.json();
    for (const f of d.history || []) addForecast(f);
    updateForecast();
  } catch (e) { /* the event stream brings them too */ }
}

/* ---- control ------------------------------------------------------------ */

async function control(body) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch('api/control', { method: 'POST', headers, body: JSON.stringify(body) });
  if (r.status === 401) {
    $('token').hidden = false;
    $('status').textContent = 'this server needs its token for changes';
  } else if (!r.ok) {
    $('status').textContent = (await r.json()).error || 'refused';
  } else {
    $('status').textContent = '';
  }
}

function wireControls() {
  $('play').addEventListener('click', () => control({ action: lastState && lastState.running ? 'pause' : 'run' }));
  $('restart').addEventListener('click', () => control({ action: 'restart' }));
  $('speed').addEventListener('change', (e) => control({ action: 'speed', speed: Number(e.target.value) }));
  $('token').addEventListener('change', (e) => { token = e.target.value; });
  $('panel-close').addEventListener('click', () => { selected = selectedVehicle = null; $('panel').hidden = true; });
}

/* ---- start -------------------------------------------------------------- */

function onState(s) {
  lastState = s;
  updateTiles(s);
  updateLayout(s);
  fleetUpdate(s, openVehiclePanel);
  updateSeries(s);
}

async function main() {
  model = await (await fetch('api/model')).json();
  $('model').textContent = model.name;
  document.title = model.name + ' · fabtwin';
  const first = await fetch('api/state');
  const state = first.ok ? await first.json() : null;
  if (state) setMode(state);
  setFleetShown();
  drawLayout(model);
  makeCharts();
  wireControls();
  if (state) onState(state);
  if (twin) loadForecasts();
  const events = new EventSource('api/events');
  events.addEventListener('state', (e) => onState(JSON.parse(e.data)));
  events.addEventListener('forecast', (e) => { addForecast(JSON.parse(e.data)); updateForecast(); });
  events.onerror = () => { $('status').textContent = 'reconnecting…'; };
  events.onopen = () => { $('status').textContent = ''; };
  // A link can open a station's panel: http://host:port/#station=总装
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith('station=')) openPanel(hash.slice(8));
  refreshStates();
  setInterval(refreshStates, 2000);
  setInterval(refreshPanel, 2000);
}

main();
