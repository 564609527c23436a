/* report.js -- draws fabtwin's HTML experiment report.
 *
 * The fabtwin binary inlines this script, Chart.js (global `Chart`) and the
 * chartjs-chart-error-bars plugin (global `ChartErrorBars`) into the report,
 * with the experiment summary as a JSON data block with id "summary" (format
 * `fabtwin-experiment/1`, docs/experiment-json.md). This script reads that
 * block and fills the page: the header, the verdict (best scenario,
 * comparisons with the baseline), an overview of the scenarios with their
 * bottlenecks, three charts and a KPI table per scenario.
 *
 * Every part copes with what a real summary can lack: one scenario, one
 * replication (sd and half_width null), no products, KPIs absent from some
 * scenarios. Text from the summary is only ever set with textContent, never
 * parsed as HTML. Each section is drawn on its own, so a surprise in one
 * shows a message instead of an empty page. Plain modern JS, no build step. */
(function () {
  'use strict';

  /* ---- constants ---------------------------------------------------------- */

  const STATES = ['working', 'setup', 'starved', 'blocked', 'failed', 'maintenance', 'off_shift'];
  const STATE_COLORS = {
    working: '#16a34a', setup: '#2563eb', starved: '#facc15', blocked: '#f97316',
    failed: '#dc2626', maintenance: '#9333ea', off_shift: '#9ca3af',
  };
  const PALETTE = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#0891b2', '#db2777',
                   '#ca8a04', '#4b5563'];
  const COLOR_BASE = '#60a5fa';
  const COLOR_BEST = '#22c55e';
  const COLOR_OTHER = '#94a3b8';
  const INK = '#1d2430';

  /* Measures that are shares of time (0..1): shown in percent. */
  const SHARES = new Set([...STATES, 'utilization', 'availability', 'performance', 'quality', 'oee',
                          'bottleneck_sole', 'bottleneck_shifting']);

  /* Readable names of the measures (docs/experiment-json.md, docs/kpis.md). */
  const MEASURE_LABELS = {
    throughput_per_hour: 'throughput', wip_mean: 'WIP, mean', sojourn_mean_s: 'time in plant, mean',
    exit_rate_per_s: 'exit rate', per_hour: 'per hour', per_day: 'per day',
    quantity_per_day: 'quantity per day', produced: 'produced', scrapped: 'scrapped',
    takt_s: 'takt', cycle_mean_s: 'cycle time, mean', cycle_p50_s: 'cycle time, median',
    cycle_p95_s: 'cycle time, 95th percentile', cycle_max_s: 'cycle time, max',
    off_shift: 'off shift', oee: 'OEE', processed: 'processed', reworked: 'reworked',
    bottleneck_sole: 'sole bottleneck', bottleneck_shifting: 'shifting bottleneck',
    mean_level: 'level, mean', max_level: 'level, max',
  };

  const GROUPS = [
    { key: 'plant', title: 'Plant' },
    { key: 'product', title: 'Products' },
    { key: 'station', title: 'Stations', collapsed: true },
    { key: 'buffer', title: 'Buffers', collapsed: true },
  ];

  /* ---- small helpers ------------------------------------------------------ */

  /* Create an element: el('td', {class: 'num'}, 'text', childNode, …). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  function byId(id) { return document.getElementById(id); }
  function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }
  function isObj(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function arr(v) { return Array.isArray(v) ? v : []; }

  /* A number with about `digits` significant digits, without exponents for
   * everyday magnitudes. */
  function fmtSig(v, digits = 4) {
    if (!isNum(v)) return '—';
    if (v === 0) return '0';
    if (Math.abs(v) >= 1e5) return Math.round(v).toLocaleString('en-US');
    return Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
  }

  function fmtFixed(v, decimals) {
    if (!isNum(v)) return '—';
    return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  /* Decimals that show a half-width with two significant digits; the mean
   * and the interval are written with the same decimals. */
  function decimalsFor(hw) {
    if (!isNum(hw) || hw <= 0) return null;
    return Math.min(8, Math.max(0, 1 - Math.floor(Math.log10(hw))));
  }

  /* How one KPI is written: its unit and a scale (shares in percent). */
  function unitOf(measure) {
    if (SHARES.has(measure)) return { unit: '%', scale: 100 };
    if (/per_hour$/.test(measure)) return { unit: '/h', scale: 1 };
    if (/per_day$/.test(measure)) return { unit: '/day', scale: 1 };
    if (/per_s$/.test(measure)) return { unit: '/s', scale: 1 };
    if (/_s$/.test(measure)) return { unit: 's', scale: 1 };
    if (/wip|level|produced|scrapped|processed|reworked/.test(measure)) return { unit: 'items', scale: 1 };
    return { unit: '', scale: 1 };
  }

  /* {mean, hw, lo, hi, sd} of a KPI statistic as text, scaled for display. */
  function fmtStat(st, measure) {
    const { scale } = unitOf(measure);
    const s = (v) => (isNum(v) ? v * scale : null);
    const mean = s(st.mean), hw = s(st.half_width), lo = s(st.lo), hi = s(st.hi), sd = s(st.sd);
    const d = decimalsFor(hw);
    const f = (v) => (d === null ? fmtSig(v) : fmtFixed(v, d));
    return {
      mean: f(mean),
      hw: isNum(hw) ? '± ' + f(hw) : '—',
      interval: isNum(hw) && isNum(lo) && isNum(hi) ? '[' + f(lo) + ', ' + f(hi) + ']' : '—',
      sd: isNum(sd) ? fmtSig(sd, 3) : '—',
    };
  }

  /* "mean ± hw [lo, hi] unit" in one string. */
  function fmtStatLine(st, measure) {
    const t = fmtStat(st, measure);
    const { unit } = unitOf(measure);
    let s = t.mean;
    if (t.hw !== '—') s += ' ' + t.hw + ' ' + t.interval;
    return unit ? s + ' ' + unit : s;
  }

  /* "2 h (7,200 s)". */
  function fmtDuration(sec) {
    if (!isNum(sec)) return '—';
    const units = [[604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'min']];
    for (const [n, name] of units) {
      if (sec >= n && Math.abs(sec / n - Math.round(sec / n * 100) / 100) < 1e-9)
        return fmtSig(sec / n) + ' ' + name + ' (' + fmtSig(sec, 12) + ' s)';
    }
    return fmtSig(sec, 12) + ' s';
  }

  /* ---- the summary, made regular ------------------------------------------ */

  /* Split "group.entity.measure" (the entity may contain dots). */
  function parseKpiName(name) {
    const first = name.indexOf('.'), last = name.lastIndexOf('.');
    if (first < 0) return { name, group: 'other', entity: '', measure: name };
    const group = name.slice(0, first);
    if (first === last) return { name, group, entity: '', measure: name.slice(first + 1) };
    return { name, group, entity: name.slice(first + 1, last), measure: name.slice(last + 1) };
  }

  /* The KPI definitions: the summary's list, plus any KPI a scenario carries
   * that the list lacks. */
  function kpiDefs(S) {
    const defs = [], seen = new Set();
    for (const k of arr(S.kpis)) {
      if (!isObj(k) || typeof k.name !== 'string' || seen.has(k.name)) continue;
      const p = parseKpiName(k.name);
      defs.push({
        name: k.name,
        group: typeof k.group === 'string' ? k.group : p.group,
        entity: typeof k.entity === 'string' ? k.entity : p.entity,
        measure: typeof k.measure === 'string' ? k.measure : p.measure,
      });
      seen.add(k.name);
    }
    for (const sc of S.scenarios) {
      for (const name of Object.keys(sc.kpis)) {
        if (!seen.has(name)) { defs.push(parseKpiName(name)); seen.add(name); }
      }
    }
    return defs;
  }

  function normalise(S) {
    S.scenarios = arr(S.scenarios).filter(isObj).map((sc, i) => ({
      ...sc,
      index: Number.isInteger(sc.index) ? sc.index : i,
      name: typeof sc.name === 'string' ? sc.name : 'scenario ' + i,
      kpis: isObj(sc.kpis) ? sc.kpis : {},
      bottleneck: arr(sc.bottleneck).filter(isObj),
      set: isObj(sc.set) ? sc.set : {},
    }));
    S.defs = kpiDefs(S);
    S.goal = isObj(S.goal) ? S.goal : { kpi: 'plant.throughput_per_hour', direction: 'max' };
    if (typeof S.goal.kpi !== 'string') S.goal.kpi = 'plant.throughput_per_hour';
    if (S.goal.direction !== 'min') S.goal.direction = 'max';
    S.best = isObj(S.best) ? S.best : null;
    S.comparisons = arr(S.comparisons).filter(isObj);
    return S;
  }

  function stat(sc, name) {
    const st = sc.kpis[name];
    return isObj(st) && isNum(st.mean) ? st : null;
  }

  function scenarioByIndex(S, i) {
    return S.scenarios.find((sc) => sc.index === i) || null;
  }

  function baselineIndex(S) {
    const c = S.comparisons.find((x) => Number.isInteger(x.baseline));
    return c ? c.baseline : (S.scenarios.length ? S.scenarios[0].index : 0);
  }

  function measureOf(S, name) {
    const d = S.defs.find((x) => x.name === name);
    return d ? d.measure : parseKpiName(name).measure;
  }

  function kpiLabel(S, name) {
    const d = S.defs.find((x) => x.name === name) || parseKpiName(name);
    const m = MEASURE_LABELS[d.measure] || d.measure.replace(/_/g, ' ');
    const where = d.group === 'plant' ? 'plant' : d.entity ? d.entity : d.group;
    return where + ' ' + m;
  }

  function scenarioTitle(sc) { return '#' + sc.index + ' ' + sc.name; }

  /* The chart axis labels: with a few scenarios their names (without the
   * leading "stations." etc. of each setting, cut to a readable length);
   * with many, only their numbers -- the names are in the overview table
   * and in the tooltips. */
  const MANY_SCENARIOS = 8;
  function axisLabels(S) {
    if (S.scenarios.length > MANY_SCENARIOS) return S.scenarios.map((sc) => '#' + sc.index);
    return S.scenarios.map((sc) => {
      let s = sc.name.split(', ')
        .map((p) => p.replace(/^(stations|buffers|products|sources|conveyors|run)\./, '')).join(', ');
      if (s.length > 34) s = s.slice(0, 33) + '…';
      return '#' + sc.index + ' ' + s;
    });
  }

  /* ---- sections ----------------------------------------------------------- */

  function drawHeader(S) {
    const name = typeof S.experiment === 'string' && S.experiment ? S.experiment : 'experiment';
    document.title = name + ' — fabtwin experiment report';
    byId('title').textContent = name;
    const model = isObj(S.model) ? S.model : {};
    byId('subtitle').textContent = 'Experiment on ' + (model.name || model.path || 'a model') +
      ' — ' + S.scenarios.length + (S.scenarios.length === 1 ? ' scenario' : ' scenarios');

    const facts = byId('facts');
    const add = (dt, ...dd) => facts.append(el('dt', { text: dt }), el('dd', {}, ...dd));

    add('Model', [model.name, model.path ? '(' + model.path + ')' : null].filter(Boolean).join(' ') || '—');

    const R = isObj(S.replications) ? S.replications : {};
    const counts = S.scenarios.map((sc) => sc.replications).filter(isNum);
    const lo = counts.length ? Math.min(...counts) : null, hi = counts.length ? Math.max(...counts) : null;
    let reps;
    if (isNum(R.target_rel_half_width)) {
      reps = 'sequential: from ' + fmtSig(R.min) + ' to ' + fmtSig(R.max) + ' per scenario, until the half-width of ' +
        (R.target_kpi || 'the target KPI') + ' is at most ' + fmtSig(R.target_rel_half_width * 100) + ' % of its mean';
    } else if (isNum(R.min) && R.min === R.max) {
      reps = R.min + ' per scenario';
    } else {
      reps = isNum(R.min) || isNum(R.max) ? fmtSig(R.min) + ' to ' + fmtSig(R.max) + ' per scenario' : '—';
    }
    if (lo !== null && (lo !== hi || !(isNum(R.min) && R.min === R.max && R.min === lo)))
      reps += lo === hi ? ' (ran ' + lo + ')' : ' (ran ' + lo + ' to ' + hi + ')';
    add('Replications', reps);

    add('Confidence level', isNum(S.confidence) ? fmtSig(S.confidence * 100) + ' % (Student t)' : '—');

    const W = isObj(S.warmup) ? S.warmup : {};
    const how = { model: "the model's run.warmup", fixed: 'fixed (--warmup)', mser5: 'MSER-5 on pilot runs' }[W.method] ||
      (W.method ? String(W.method) : '—');
    let warm = fmtDuration(W.seconds) + ', ' + how;
    if (isObj(W.mser)) {
      const m = W.mser;
      warm += ': ' + fmtSig(m.replications) + ' pilot replications, batches of ' + fmtDuration(m.batch_s) +
        ', truncated after ' + fmtSig(m.batches) + ' batches';
    }
    add('Warm-up', warm);
    add('Run length', fmtDuration(S.length_s) + ' after the warm-up');
    add('Common random numbers', S.crn === true
      ? 'on — replication r of every scenario uses the same random numbers (paired comparisons)'
      : S.crn === false ? 'off — scenarios are independent (Welch comparisons)' : '—');
    if (isNum(S.seed) || (typeof S.seed === 'string' && S.seed !== '')) add('Seed', String(S.seed));

    const factors = arr(S.factors).filter(isObj);
    if (factors.length) {
      const ul = el('ul', { style: 'margin:0;padding-left:18px' });
      for (const f of factors)
        ul.append(el('li', {}, el('code', { text: String(f.path) }), ': ' + arr(f.values).map(String).join(', ')));
      add('Factors', ul);
    } else {
      add('Factors', 'none (named scenarios only)');
    }
    add('Goal', kpiLabel(S, S.goal.kpi) + ' (' + S.goal.kpi + '), ' +
      (S.goal.direction === 'min' ? 'lower is better' : 'higher is better'));
  }

  function drawBest(S) {
    const box = byId('best');
    const b = S.best;
    const sc = b && Number.isInteger(b.scenario) ? scenarioByIndex(S, b.scenario) : null;
    if (!b || !sc || !isNum(b.mean)) {
      box.append(el('p', { class: 'no', text: 'The summary names no best scenario.' }));
      return;
    }
    const measure = measureOf(S, S.goal.kpi);
    const base = baselineIndex(S);
    const cmp = S.comparisons.find((c) => c.scenario === sc.index && c.kpi === S.goal.kpi);
    let note;
    if (S.scenarios.length === 1) note = 'The only scenario of the experiment.';
    else if (sc.index === base) note = 'It is the baseline: no other scenario has a better mean.';
    else if (cmp && cmp.significant === true) note = 'Significantly different from the baseline (see below).';
    else if (cmp) note = 'Not significantly different from the baseline: the difference may be noise.';
    box.append(el('div', { class: 'best-card' },
      el('div', {}, 'Best scenario by ' + kpiLabel(S, S.goal.kpi) +
        (S.goal.direction === 'min' ? ' (lowest mean)' : ' (highest mean)') + ':'),
      el('div', { class: 'value', text: scenarioTitle(sc) }),
      el('div', { text: fmtStatLine(b, measure) }),
      note ? el('div', { class: 'hint', text: note }) : null));
  }

  function drawComparisons(S) {
    const box = byId('comparisons');
    if (!S.comparisons.length) {
      box.append(el('p', { class: 'no', text: S.scenarios.length > 1
        ? 'The summary has no comparisons.' : 'One scenario: nothing to compare.' }));
      return;
    }
    /* Columns that would repeat one value on every row go into the caption. */
    const kpiOf = (c) => (typeof c.kpi === 'string' ? c.kpi : S.goal.kpi);
    const oneKpi = S.comparisons.every((c) => kpiOf(c) === kpiOf(S.comparisons[0]));
    const oneBase = S.comparisons.every((c) => c.baseline === S.comparisons[0].baseline);
    if (oneKpi || oneBase) {
      const base = scenarioByIndex(S, S.comparisons[0].baseline);
      box.append(el('p', { class: 'hint', text: 'Difference scenario − baseline' +
        (oneKpi ? ' of ' + kpiLabel(S, kpiOf(S.comparisons[0])) : '') +
        (oneBase ? ', baseline ' + (base ? scenarioTitle(base) : '#' + S.comparisons[0].baseline) : '') +
        '. Significant when the interval excludes 0.' }));
    }
    const head = el('tr', {}, el('th', { text: 'Scenario' }));
    if (!oneBase) head.append(el('th', { text: 'baseline' }));
    if (!oneKpi) head.append(el('th', { text: 'KPI' }));
    head.append(el('th', { class: 'num', text: 'difference' }), el('th', { class: 'num', text: '± half-width' }),
      el('th', { class: 'num', text: 'interval' }), el('th', { text: 'method' }), el('th', { text: 'significant' }));
    const body = el('tbody');
    for (const c of S.comparisons) {
      const sc = scenarioByIndex(S, c.scenario);
      const kpi = kpiOf(c);
      const measure = measureOf(S, kpi);
      const st = fmtStat({ mean: c.mean_diff, half_width: c.half_width, lo: c.lo, hi: c.hi }, measure);
      const { unit } = unitOf(measure);
      let sig;
      if (c.significant === true) {
        const better = kpi === S.goal.kpi && isNum(c.mean_diff)
          ? (S.goal.direction === 'min' ? c.mean_diff < 0 : c.mean_diff > 0) : null;
        sig = better === null ? el('span', { class: 'yes', text: 'yes' })
          : better ? el('span', { class: 'yes', text: 'yes — better' })
          : el('span', { class: 'worse', text: 'yes — worse' });
      } else {
        sig = el('span', { class: 'no', text: isNum(c.half_width) ? 'no' : 'no (no interval)' });
      }
      const tr = el('tr', {}, el('td', { text: sc ? scenarioTitle(sc) : '#' + c.scenario }));
      if (!oneBase) tr.append(el('td', { text: '#' + c.baseline }));
      if (!oneKpi) tr.append(el('td', { text: kpiLabel(S, kpi), title: kpi }));
      tr.append(
        el('td', { class: 'num', text: st.mean + (unit ? ' ' + unit : '') }),
        el('td', { class: 'num', text: st.hw }),
        el('td', { class: 'num', text: st.interval }),
        el('td', { class: 'nowrap', text: c.paired === true ? 'paired (CRN)' : c.paired === false ? 'Welch' : '—' }),
        el('td', { class: 'nowrap' }, sig));
      body.append(tr);
    }
    box.append(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)));
  }

  /* One row per scenario: its throughput (and goal KPI), and its bottleneck
   * with the number of replications that named it. */
  function drawOverview(S) {
    const tp = 'plant.throughput_per_hour';
    const goalDiffers = S.goal.kpi !== tp;
    const base = baselineIndex(S), best = S.best ? S.best.scenario : null;
    const head = el('tr', {}, el('th', { class: 'num', text: '#' }), el('th', { text: 'scenario' }),
      el('th', { class: 'num', text: 'replications' }), el('th', { class: 'num', text: 'throughput /h' }));
    if (goalDiffers) head.append(el('th', { class: 'num', text: kpiLabel(S, S.goal.kpi) }));
    head.append(el('th', { text: 'bottleneck' }), el('th', { class: 'num', text: 'in replications' }),
      el('th', { text: 'other replications' }));
    const body = el('tbody');
    const who = (b) => (b.station ? String(b.station) : 'none');
    for (const sc of S.scenarios) {
      const tpStat = stat(sc, tp);
      const tr = el('tr', { class: sc.index === best ? 'best' : null },
        el('td', { class: 'num', text: sc.index }),
        el('td', {}, sc.name, tags(sc.index, base, best)),
        el('td', { class: 'num', text: isNum(sc.replications) ? sc.replications : '—' }),
        el('td', { class: 'num', text: tpStat ? fmtStatLine(tpStat, 'plain') : 'not measured' }));
      if (goalDiffers) {
        const g = stat(sc, S.goal.kpi);
        tr.append(el('td', { class: 'num', text: g ? fmtStatLine(g, measureOf(S, S.goal.kpi)) : 'not measured' }));
      }
      const list = sc.bottleneck;
      const n = isNum(sc.replications) ? sc.replications : list.reduce((a, b) => a + (b.replications || 0), 0);
      const of = (b) => (isNum(b.replications) ? b.replications : '?') + ' of ' + n;
      const first = list[0];
      tr.append(el('td', { text: first ? who(first) : '—' }),
        el('td', { class: 'num', text: first ? of(first) : '—' }),
        el('td', { text: list.slice(1).map((b) => who(b) + ' ' + of(b)).join(' · ') || '—' }));
      body.append(tr);
    }
    byId('overview').append(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)));
    byId('overview').append(el('p', { class: 'hint', text: 'Throughput: mean ± half-width [interval]. ' +
      'The bottleneck of a replication is the station that was sole bottleneck longest ' +
      '(active-period method, docs/kpis.md); "none" counts replications without one.' }));
  }

  function tags(index, base, best) {
    const f = document.createDocumentFragment();
    if (index === base) f.append(el('span', { class: 'tag base', text: 'baseline' }));
    if (index === best) f.append(el('span', { class: 'tag best', text: 'best' }));
    return f;
  }

  /* ---- charts ------------------------------------------------------------- */

  /* A point of a bar with error bars; the interval ends are left out when
   * there is none (one replication), so no bar is drawn. */
  function errorPoint(st) {
    if (!st) return { y: null };
    const p = { y: st.mean, st };
    if (isNum(st.half_width) && isNum(st.lo) && isNum(st.hi)) {
      p.yMin = st.lo;
      p.yMax = st.hi;
    }
    return p;
  }

  function errorBarTooltip(S, measureOfDataset) {
    return {
      callbacks: {
        title: (items) => (items.length ? scenarioTitle(S.scenarios[items[0].dataIndex]) : ''),
        label: (ctx) => {
          const raw = ctx.raw || {};
          const st = raw.st;
          const m = measureOfDataset(ctx.dataset);
          return ctx.dataset.label + ': ' + (st ? fmtStatLine(st, m) : 'not measured');
        },
      },
    };
  }

  const ERROR_BAR_STYLE = {
    errorBarColor: INK, errorBarWhiskerColor: INK, errorBarLineWidth: 1.5,
    errorBarWhiskerLineWidth: 1.5, errorBarWhiskerRatio: 0.3,
  };

  function categoryAxis(S) {
    return {
      ticks: { autoSkip: false, maxRotation: 45 },
      grid: { display: false },
    };
  }

  function drawThroughput(S) {
    const name = 'plant.throughput_per_hour';
    const base = baselineIndex(S), best = S.best ? S.best.scenario : null;
    const points = S.scenarios.map((sc) => errorPoint(stat(sc, name)));
    if (points.every((p) => p.y === null)) {
      hideChart('throughput', 'No scenario has a throughput KPI.');
      return;
    }
    const colors = S.scenarios.map((sc) => (sc.index === best ? COLOR_BEST : sc.index === base ? COLOR_BASE : COLOR_OTHER));
    byId('throughput-hint').textContent = 'Finished items per hour, mean per scenario; the error bars are the ' +
      (isNum(S.confidence) ? fmtSig(S.confidence * 100) + ' % ' : '') + 'confidence intervals' +
      ' (none with one replication). Blue: the baseline; green: the best scenario by the goal.' +
      (S.scenarios.length > MANY_SCENARIOS ? ' Scenarios by number: see the table above.' : '');
    new Chart(byId('throughput-chart'), {
      type: 'barWithErrorBars',
      data: {
        labels: axisLabels(S),
        datasets: [{ label: 'throughput /h', data: points, backgroundColor: colors, maxBarThickness: 140,
                      ...ERROR_BAR_STYLE }],
      },
      options: {
        plugins: { legend: { display: false }, tooltip: errorBarTooltip(S, () => 'throughput_per_hour') },
        scales: {
          x: categoryAxis(S),
          y: { beginAtZero: true, title: { display: true, text: 'finished items per hour' } },
        },
      },
    });
  }

  function drawCycleTimes(S) {
    // Products that leave the plant; parts consumed by an assembly have no cycle time.
    const leaves = (d) => S.scenarios.some((sc) => {
      const made = stat(sc, 'product.' + d.entity + '.produced');
      return made && made.mean > 0;
    });
    const products = [];
    for (const d of S.defs)
      if (d.group === 'product' && d.measure === 'cycle_mean_s' && !products.some((p) => p.entity === d.entity) && leaves(d))
        products.push(d);
    const datasets = products.map((d, i) => ({
      label: d.entity || d.name,
      data: S.scenarios.map((sc) => errorPoint(stat(sc, d.name))),
      backgroundColor: PALETTE[i % PALETTE.length],
      maxBarThickness: 90,
      ...ERROR_BAR_STYLE,
    })).filter((ds) => ds.data.some((p) => p.y !== null));
    if (!datasets.length) {
      hideChart('cycle', 'The experiment has no product cycle times.');
      return;
    }
    byId('cycle-hint').textContent = 'Mean cycle time (release to finish) per product and scenario, in seconds, ' +
      'with the confidence intervals as error bars.' +
      (S.scenarios.length > MANY_SCENARIOS ? ' Scenarios by number: see the table above.' : '');
    new Chart(byId('cycle-chart'), {
      type: 'barWithErrorBars',
      data: { labels: axisLabels(S), datasets },
      options: {
        plugins: { legend: { position: 'top' }, tooltip: errorBarTooltip(S, () => 'cycle_mean_s') },
        scales: {
          x: categoryAxis(S),
          y: { beginAtZero: true, title: { display: true, text: 'cycle time, mean (s)' } },
        },
      },
    });
  }

  function drawStates(S) {
    const stations = [];
    for (const d of S.defs)
      if (d.group === 'station' && STATES.includes(d.measure) && !stations.includes(d.entity))
        stations.push(d.entity);
    const select = byId('state-scenario');
    if (!stations.length || !S.scenarios.length) {
      select.disabled = true;
      hideChart('states', 'The experiment has no station states.');
      return;
    }
    for (const sc of S.scenarios)
      select.append(el('option', { value: sc.index, text: scenarioTitle(sc) }));
    const start = S.best && scenarioByIndex(S, S.best.scenario) ? S.best.scenario : S.scenarios[0].index;
    select.value = String(start);

    byId('states-box').style.height = Math.max(220, 34 * stations.length + 110) + 'px';
    const dataFor = (sc) => STATES.map((state) => ({
      label: MEASURE_LABELS[state] || state,
      data: stations.map((s) => {
        const st = stat(sc, 'station.' + s + '.' + state);
        return st ? st.mean * 100 : null;
      }),
      backgroundColor: STATE_COLORS[state],
      borderColor: '#fff',
      borderWidth: { right: 1 },
      barPercentage: 0.8,
    }));
    const chart = new Chart(byId('states-chart'), {
      type: 'bar',
      data: { labels: stations, datasets: dataFor(scenarioByIndex(S, start)) },
      options: {
        indexAxis: 'y',
        plugins: {
          legend: { position: 'top' },
          tooltip: {
            callbacks: {
              label: (ctx) => ctx.dataset.label + ': ' + (isNum(ctx.raw) ? fmtSig(ctx.raw, 3) + ' %' : 'not measured'),
            },
          },
        },
        scales: {
          x: { stacked: true, min: 0, max: 100, title: { display: true, text: '% of the time' } },
          y: { stacked: true, grid: { display: false } },
        },
      },
    });
    select.addEventListener('change', () => {
      const sc = scenarioByIndex(S, Number(select.value));
      if (!sc) return;
      const fresh = dataFor(sc);
      chart.data.datasets.forEach((ds, i) => { ds.data = fresh[i].data; });
      chart.update();
    });
  }

  function hideChart(id, message) {
    byId(id + '-box').hidden = true;
    const hint = byId(id + '-hint');
    if (hint) hint.textContent = message;
    else byId(id + '-box').after(el('p', { class: 'no', text: message }));
  }

  /* ---- KPI tables --------------------------------------------------------- */

  function kpiTable(S, sc, defs, byEntity) {
    const t = el('table', {}, el('thead', {}, el('tr', {},
      el('th', { text: 'KPI' }), el('th', { class: 'num', text: 'mean' }), el('th', { class: 'num', text: '± half-width' }),
      el('th', { class: 'num', text: 'interval' }), el('th', { class: 'num', text: 'sd' }), el('th', { text: 'unit' }))));
    const body = el('tbody');
    let entity = null;
    for (const d of defs) {
      if (byEntity && d.entity !== entity) {
        entity = d.entity;
        body.append(el('tr', { class: 'group' }, el('td', { colspan: 6, text: entity || '—' })));
      }
      const st = stat(sc, d.name);
      const label = MEASURE_LABELS[d.measure] || d.measure.replace(/_/g, ' ');
      if (!st) {
        body.append(el('tr', {}, el('td', { text: label, title: d.name }),
          el('td', { class: 'num no', colspan: 4, text: 'not measured in this scenario' }), el('td')));
        continue;
      }
      const f = fmtStat(st, d.measure);
      body.append(el('tr', {},
        el('td', { text: label, title: d.name }),
        el('td', { class: 'num', text: f.mean }), el('td', { class: 'num', text: f.hw }),
        el('td', { class: 'num', text: f.interval }), el('td', { class: 'num', text: f.sd }),
        el('td', { text: unitOf(d.measure).unit })));
    }
    t.append(body);
    return el('div', { class: 'scroll' }, t);
  }

  /* Order a group's KPIs by entity (first appearance) and keep the measure order. */
  function groupDefs(S, group) {
    const defs = S.defs.filter((d) => d.group === group);
    const order = [];
    for (const d of defs) if (!order.includes(d.entity)) order.push(d.entity);
    return defs.slice().sort((a, b) => order.indexOf(a.entity) - order.indexOf(b.entity));
  }

  function drawKpiTables(S) {
    const box = byId('kpi-tables');
    const base = baselineIndex(S), best = S.best ? S.best.scenario : null;
    const known = new Set(GROUPS.map((g) => g.key));
    const groups = GROUPS.slice();
    for (const d of S.defs)
      if (!known.has(d.group)) { known.add(d.group); groups.push({ key: d.group, title: d.group, collapsed: true }); }
    byId('kpi-hint').textContent = 'Mean over the replications, half-width of the ' +
      (isNum(S.confidence) ? fmtSig(S.confidence * 100) + ' % ' : '') +
      'confidence interval and its ends, and the standard deviation over the replications. ' +
      'Shares of time are in percent. Station and buffer KPIs are folded: click to open.';
    const few = S.scenarios.length <= 3;
    for (const sc of S.scenarios) {
      const d = el('details', { class: 'scenario', open: few || sc.index === base || sc.index === best });
      const settings = Object.entries(sc.set).map(([k, v]) => k + ' = ' + v).join(', ');
      d.append(el('summary', {}, scenarioTitle(sc), tags(sc.index, base, best),
        el('span', { class: 'set', text: ' — ' + (isNum(sc.replications) ? sc.replications + ' replications' : '') +
          (settings ? '; ' + settings : '') })));
      for (const g of groups) {
        const defs = groupDefs(S, g.key);
        if (!defs.length) continue;
        const table = kpiTable(S, sc, defs, g.key !== 'plant');
        if (g.collapsed) {
          const entities = new Set(defs.map((x) => x.entity)).size;
          d.append(el('details', { class: 'more' },
            el('summary', { text: g.title + ' (' + entities + ', ' + defs.length + ' KPIs)' }), table));
        } else {
          d.append(el('h3', { text: g.title }), table);
        }
      }
      box.append(d);
    }
  }

  /* ---- main --------------------------------------------------------------- */

  function fail(message) {
    const p = byId('failure');
    p.hidden = false;
    p.textContent = (p.textContent ? p.textContent + ' ' : '') + message;
  }

  function main() {
    let S;
    try {
      S = JSON.parse(byId('summary').textContent);
    } catch (e) {
      fail('The experiment summary embedded in this file cannot be read: ' + e.message);
      return;
    }
    if (!isObj(S)) { fail('The embedded experiment summary is not a JSON object.'); return; }
    normalise(S);

    const chartsOk = typeof window.Chart === 'function';
    if (chartsOk) {
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      Chart.defaults.color = INK;
      Chart.defaults.animation = false;      /* print and screenshots show the final state */
      Chart.defaults.maintainAspectRatio = false;
      if (window.ChartErrorBars)
        Chart.register(ChartErrorBars.BarWithErrorBarsController, ChartErrorBars.BarWithErrorBar);
    } else {
      fail('The charting library did not load; the charts are missing.');
    }
    const sections = [
      ['header', drawHeader], ['best scenario', drawBest], ['comparisons', drawComparisons],
      ['scenario overview', drawOverview],
      ['throughput chart', drawThroughput, true], ['cycle-time chart', drawCycleTimes, true],
      ['station-state chart', drawStates, true], ['KPI tables', drawKpiTables],
    ];
    for (const [what, draw, needsCharts] of sections) {
      if (needsCharts && (!chartsOk || !window.ChartErrorBars)) continue;
      try {
        draw(S);
      } catch (e) {
        console.error(e);
        fail('Could not draw the ' + what + ': ' + e.message + '.');
      }
    }
  }

  main();
})();
