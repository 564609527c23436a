/* fleet.js -- the AGV part of the dashboard: the path network drawn to
 * scale under the stations, and the vehicles moving on it.
 *
 * fleetPlace() chooses the scale, draws the network (edges as lines, a
 * one-way edge with an arrowhead at its middle, nodes small, chargers ⚡,
 * parking P, the shipping dock) and says where app.js is to put each station
 * box; fleetUpdate() takes each state's vehicles. The server sends a state
 * every 50 ms of wall time or so; between two states a marker glides from
 * where it is drawn to its new position over about one state interval
 * (requestAnimationFrame), which looks continuous at any pace a person can
 * follow. A jump longer than SNAP_M -- a restart, or a pace so high that a
 * vehicle goes round corners between two states -- is drawn as a jump:
 * a straight glide would cut through the plant. Positions are metres on a
 * plan (y upwards), user units on the screen (y downwards). Loaded before
 * app.js, whose svg() helper it uses once the page runs. */
'use strict';

const VEHICLE_COLOURS = {
  idle: '#9ca3af', empty: '#38bdf8', loaded: '#1d4ed8', blocked: '#dc2626',
  handling: '#f59e0b', charging: '#10b981',
};
const VEHICLE_STATES = Object.keys(VEHICLE_COLOURS);
const VEHICLE_LABELS = {
  idle: 'idle', empty: 'moving empty', loaded: 'moving loaded', blocked: 'held by traffic',
  handling: 'loading / unloading', charging: 'charging',
};
const SNAP_M = 20;          // longer moves between two states are drawn as jumps
const FIT_W = 1200, FIT_H = 560;  // the plan's size in user units, before boxes force it larger

const fleet = {
  toX: null, toY: null,     // metres -> user units
  layer: null,              // <g> of the vehicle markers, drawn last (on top)
  markers: new Map(),       // name -> {g, fromX, fromY, toX, toY, t0}
  lastAt: 0, interval: 50,  // wall ms between states (smoothed)
  animating: false,
};

function fleetPresent(m) {
  return !!(m && m.layout && m.layout.nodes && m.layout.nodes.length);
}

/* Units per metre: the plan fits FIT_W x FIT_H, or is larger when a station box
 * (W x H units, centred on its `at`) would otherwise cover a node or
 * another box. A node on a station's very spot cannot be cleared and does
 * not count; nor can the scale grow past 4 x the fitting one. */
function fleetScale(m, W, H, spanX, spanY) {
  const fit = Math.min(FIT_W / Math.max(spanX, 1), FIT_H / Math.max(spanY, 1));
  const gap = 8;
  let k = fit;
  const need = (dx, dy, hx, hy) => Math.min(dx > 0.5 ? hx / dx : Infinity, dy > 0.5 ? hy / dy : Infinity);
  const placed = m.stations.filter((s) => Array.isArray(s.at));
  for (const s of placed) {
    for (const n of m.layout.nodes) {
      const dx = Math.abs(n.x - s.at[0]), dy = Math.abs(n.y - s.at[1]);
      if (dx > 0.5 || dy > 0.5) k = Math.max(k, Math.min(need(dx, dy, W / 2 + gap, H / 2 + gap), 4 * fit));
    }
    for (const t of placed)
      if (t !== s) {
        const dx = Math.abs(t.at[0] - s.at[0]), dy = Math.abs(t.at[1] - s.at[1]);
        if (dx > 0.5 || dy > 0.5) k = Math.max(k, Math.min(need(dx, dy, W + gap, H + gap), 4 * fit));
      }
  }
  return k;
}

/* Draw the network into `root` and return each station box's top-left
 * corner: centred on its `at`, else just above its drop-off (or pick-up)
 * node, else in a row under the plan. */
function fleetPlace(m, root, W, H) {
  const nodes = m.layout.nodes;
  const xs = nodes.map((n) => n.x), ys = nodes.map((n) => n.y);
  for (const s of m.stations) if (Array.isArray(s.at)) { xs.push(s.at[0]); ys.push(s.at[1]); }
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const k = fleetScale(m, W, H, x1 - x0, y1 - y0);
  const padX = W / 2 + 16, padY = H / 2 + 16;
  fleet.toX = (x) => padX + (x - x0) * k;
  fleet.toY = (y) => padY + (y1 - y) * k;

  const pos = {}, loose = [];
  for (const s of m.stations) {
    const node = s.drop != null ? nodes[s.drop] : s.pick != null ? nodes[s.pick] : null;
    if (Array.isArray(s.at)) pos[s.name] = { x: fleet.toX(s.at[0]) - W / 2, y: fleet.toY(s.at[1]) - H / 2 };
    else if (node) pos[s.name] = { x: fleet.toX(node.x) - W / 2, y: fleet.toY(node.y) - H - 14 };
    else loose.push(s);
  }
  // the drawing's extent: the plan and every box (a box above a node may stick out)
  let left = 0, top = 0, right = (x1 - x0) * k + 2 * padX, bottom = (y1 - y0) * k + 2 * padY;
  for (const p of Object.values(pos)) {
    left = Math.min(left, p.x - 10);
    top = Math.min(top, p.y - 10);
    right = Math.max(right, p.x + W + 10);
    bottom = Math.max(bottom, p.y + H + 10);
  }
  loose.forEach((s, i) => { pos[s.name] = { x: left + 10 + i * (W + 20), y: bottom }; });
  if (loose.length) {
    bottom += H + 20;
    right = Math.max(right, left + loose.length * (W + 20) + 10);
  }
  bottom += 30;                                          // the scale bar
  root.setAttribute('viewBox', `${left} ${top} ${right - left} ${bottom - top}`);
  root.classList.add('agv');

  const defs = root.querySelector('defs');
  const arrow = svg('marker', { id: 'path-arrow', viewBox: '0 0 10 10', refX: 5, refY: 5,
    markerWidth: 7, markerHeight: 7, markerUnits: 'userSpaceOnUse', orient: 'auto' }, defs);
  svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#6b7280' }, arrow);

  const net = svg('g', { class: 'network' }, root);
  fleetDrawLinks(m, net, pos, W, H);
  fleetDrawEdges(m, net);
  for (const n of nodes) fleetDrawNode(n, net);

  const metres = [1, 2, 5, 10, 20, 50, 100, 200, 500].find((d) => d * k >= 80) || 1000;
  const bar = svg('g', { class: 'scale', transform: `translate(${left + 16},${bottom - 12})` }, root);
  svg('line', { x1: 0, y1: 0, x2: metres * k, y2: 0, stroke: '#374151', 'stroke-width': 2 }, bar);
  svg('text', { x: 0, y: -6 }, bar).textContent = `${metres} m`;
  return pos;
}

/* A dashed line from each station box to its pick-up and drop-off nodes. */
function fleetDrawLinks(m, net, pos, W, H) {
  for (const s of m.stations) {
    const at = new Set([s.pick, s.drop].filter((i) => i != null));
    for (const i of at) {
      const n = m.layout.nodes[i];
      svg('line', { class: 'link', x1: pos[s.name].x + W / 2, y1: pos[s.name].y + H / 2,
        x2: fleet.toX(n.x), y2: fleet.toY(n.y) }, net);
    }
  }
}

/* Edges as lines; a one-way edge has an arrowhead halfway, and two one-way
 * edges between the same nodes are drawn apart, each to its right. */
function fleetDrawEdges(m, net) {
  const nodes = m.layout.nodes;
  const has = new Set(m.layout.edges.map((e) => e.from + '>' + e.to));
  m.layout.edges.forEach((e, i) => {
    const a = nodes[e.from], b = nodes[e.to];
    let ax = fleet.toX(a.x), ay = fleet.toY(a.y), bx = fleet.toX(b.x), by = fleet.toY(b.y);
    if (e.one_way && has.has(e.to + '>' + e.from)) {
      const len = Math.hypot(bx - ax, by - ay) || 1, ox = -(by - ay) / len * 3, oy = (bx - ax) / len * 3;
      ax += ox; bx += ox; ay += oy; by += oy;
    }
    const p = svg('path', { class: e.one_way ? 'path one-way' : 'path', 'data-edge': i,
      d: `M ${ax} ${ay} L ${(ax + bx) / 2} ${(ay + by) / 2} L ${bx} ${by}` }, net);
    svg('title', {}, p).textContent = `${a.name} ${e.one_way ? '→' : '↔'} ${b.name} · ${e.length_m.toFixed(1)} m`;
  });
}

function fleetDrawNode(n, net) {
  const g = svg('g', { class: 'node', 'data-node': n.name, 'data-role': n.role || '',
    transform: `translate(${fleet.toX(n.x)},${fleet.toY(n.y)})` }, net);
  const roles = { parking: 'parking', charger: 'charger', shipping: 'shipping dock', store: 'store' };
  svg('title', {}, g).textContent = n.role ? `${n.name} · ${roles[n.role] || n.role}` : n.name;
  if (n.role === 'parking') {
    svg('rect', { class: 'mark', x: -7, y: -7, width: 14, height: 14, rx: 2 }, g);
    svg('text', { class: 'glyph', x: 0, y: 4 }, g).textContent = 'P';
  } else if (n.role === 'charger') {
    svg('circle', { class: 'mark', r: 8 }, g);
    svg('text', { class: 'glyph', x: 0, y: 4 }, g).textContent = '⚡';
  } else if (n.role === 'shipping') {
    svg('rect', { class: 'mark', x: -9, y: -9, width: 18, height: 18, rx: 2 }, g);
    svg('path', { class: 'glyph', d: 'M -5 -4 L 5 -4 L 0 4 z' }, g);
  } else if (n.role === 'store') {
    svg('rect', { class: 'mark', x: -9, y: -9, width: 18, height: 18, rx: 2 }, g);
    svg('path', { class: 'glyph', d: 'M -5 4 L 5 4 L 0 -4 z' }, g);
  } else {
    svg('circle', { class: 'mark', r: 3.5 }, g);
  }
  const label = svg('text', { class: 'node-name', x: n.role ? 11 : 6, y: n.role ? -8 : -6 }, g);
  label.textContent = n.name;
}

/* The layer for the vehicle markers: call after the stations are drawn. */
function fleetDrawVehicles(root) {
  fleet.layer = svg('g', { class: 'vehicles' }, root);
  fleet.markers.clear();
}

function fleetMarker(v, onClick) {
  const g = svg('g', { class: 'vehicle', 'data-vehicle': v.name }, fleet.layer);
  svg('title', {}, g);
  svg('circle', { class: 'body', r: 7 }, g);
  const num = (v.name.match(/\d+$/) || [''])[0];
  svg('text', { class: 'num', x: 0, y: 3 }, g).textContent = num.length <= 2 ? num : '';
  svg('circle', { class: 'load', cx: 6, cy: -6, r: 3.2 }, g);
  g.addEventListener('click', () => onClick(v.name));
  const x = fleet.toX(v.x), y = fleet.toY(v.y);
  const mk = { g, fromX: x, fromY: y, toX: x, toY: y, t0: 0, shownX: x, shownY: y };
  fleet.markers.set(v.name, mk);
  return mk;
}

/* A new state: every vehicle's colour, load and tooltip now; its position
 * glides there (fleetAnimate). */
function fleetUpdate(state, onClick) {
  if (!fleet.layer || !state.vehicles) return;
  const now = performance.now();
  const gap = now - fleet.lastAt;          // a pause is no measure of the pace
  if (fleet.lastAt && gap < 1000) fleet.interval = Math.max(30, 0.8 * fleet.interval + 0.2 * gap);
  fleet.lastAt = now;
  for (const v of state.vehicles) {
    const mk = fleet.markers.get(v.name) || fleetMarker(v, onClick);
    const x = fleet.toX(v.x), y = fleet.toY(v.y);
    const far = mk.lastM && Math.hypot(v.x - mk.lastM.x, v.y - mk.lastM.y) > SNAP_M;
    mk.fromX = far ? x : mk.shownX;
    mk.fromY = far ? y : mk.shownY;
    mk.toX = x;
    mk.toY = y;
    mk.t0 = now;
    mk.lastM = { x: v.x, y: v.y };
    const g = mk.g;
    g.setAttribute('data-state', v.state);
    g.querySelector('circle.body').setAttribute('fill', VEHICLE_COLOURS[v.state] || '#6b7280');
    g.classList.toggle('loaded', v.load > 0);
    g.querySelector('title').textContent = fleetDescribe(v);
  }
  if (!fleet.animating) {
    fleet.animating = true;
    requestAnimationFrame(fleetAnimate);
  }
}

function fleetAnimate(now) {
  let moving = false;
  for (const mk of fleet.markers.values()) {
    const f = Math.min(1, Math.max(0, (now - mk.t0) / fleet.interval));
    mk.shownX = mk.fromX + (mk.toX - mk.fromX) * f;
    mk.shownY = mk.fromY + (mk.toY - mk.fromY) * f;
    mk.g.setAttribute('transform', `translate(${mk.shownX.toFixed(1)},${mk.shownY.toFixed(1)})`);
    moving ||= f < 1;
  }
  fleet.animating = moving;
  if (moving) requestAnimationFrame(fleetAnimate);
}

function fleetDescribe(v) {
  const load = v.load === 1 ? '1 item' : `${v.load} items`;
  return `${v.name} · ${VEHICLE_LABELS[v.state] || v.state} · ${load} · battery ${(100 * v.battery).toFixed(0)} %`;
}

/* The rows of a vehicle's panel: now from the state, over the run from the
 * KPIs (/api/kpis `fleet.per_vehicle`). */
function fleetPanelRows(name, state, kpis) {
  const v = (state && state.vehicles || []).find((x) => x.name === name) || {};
  const k = (kpis && kpis.fleet && kpis.fleet.per_vehicle || []).find((x) => x.name === name) || {};
  const pct = (x) => (Number.isFinite(x) ? (100 * x).toFixed(1) + ' %' : '–');
  const rows = [
    ['state now', VEHICLE_LABELS[v.state] || '–'],
    ['load', v.load == null ? '–' : String(v.load)],
    ['battery', pct(v.battery)],
    ['utilization', pct(k.utilization)],
  ];
  for (const st of VEHICLE_STATES) if (k.states && k.states[st] > 0) rows.push([VEHICLE_LABELS[st], pct(k.states[st])]);
  rows.push(['trips', k.trips == null ? '–' : String(k.trips)],
    ['loaded / empty', k.loaded_m == null ? '–' : `${k.loaded_m.toFixed(0)} / ${k.empty_m.toFixed(0)} m`],
    ['charging stops', k.charges == null ? '–' : String(k.charges)],
    ['lowest battery', pct(k.battery_min)]);
  return rows;
}

/* The legend of the network and, with vehicles, of their states, into `el`. */
function fleetLegend(el, withVehicles) {
  el.textContent = '';
  for (const st of withVehicles ? VEHICLE_STATES : []) {
    const span = document.createElement('span');
    span.className = 'vehicle-key';
    span.style.setProperty('--c', VEHICLE_COLOURS[st]);
    span.textContent = 'AGV ' + VEHICLE_LABELS[st];
    el.appendChild(span);
  }
  const keys = [['charger-key', 'charger'], ['parking-key', 'parking'], ['store-key', 'store'],
                ['shipping-key', 'shipping dock']];
  if (withVehicles) keys.unshift(['load-key', 'load aboard']);
  for (const [cls, text] of keys) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    el.appendChild(span);
  }
}
