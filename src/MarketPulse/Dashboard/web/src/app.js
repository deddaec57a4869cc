import { createChart, BaselineSeries, HistogramSeries } from 'lightweight-charts';

const KEY = 'marketpulse.apiKey';
const $ = (id) => document.getElementById(id);
const state = { minutes: 60, dimension: 'market', value: '', symbol: null, seen: new Map() };

// The key travels only in the Authorization header, never in a URL; it lives in this tab's sessionStorage.
function headers(extra = {}) {
  const key = sessionStorage.getItem(KEY);
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

function askKey() {
  return new Promise((resolve) => {
    const dialog = $('key-dialog');
    dialog.addEventListener('close', () => {
      sessionStorage.setItem(KEY, $('key-input').value.trim());
      resolve();
    }, { once: true });
    if (!dialog.open) dialog.showModal();
  });
}

async function api(path, accept = 'application/json') {
  for (;;) {
    const response = await fetch(path, { headers: headers({ Accept: accept }) });
    if (response.status === 401) { await askKey(); continue; }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return accept === 'text/csv' ? response.blob() : response.json();
  }
}

async function downloadCsv(path, name) {
  const blob = await api(path, 'text/csv');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function range() {
  const to = new Date(Date.now() + 60_000);
  const from = new Date(to.getTime() - state.minutes * 60_000 - 60_000);
  return `from=${from.toISOString()}&to=${to.toISOString()}`;
}

function interval() {
  const m = state.minutes;
  return m <= 60 ? '1m' : m <= 1440 ? '5m' : m <= 10080 ? '1h' : '1d';
}

function moodChart(element) {
  const chart = createChart(element, {
    autoSize: true,
    layout: { background: { color: 'transparent' }, textColor: '#d8dee6', attributionLogo: true },
    grid: { vertLines: { color: '#222a33' }, horzLines: { color: '#222a33' } },
    timeScale: { timeVisible: true, secondsVisible: false },
  });
  const score = chart.addSeries(BaselineSeries, {
    baseValue: { type: 'price', price: 0 },
    topLineColor: '#26a69a', topFillColor1: 'rgba(38,166,154,0.35)', topFillColor2: 'rgba(38,166,154,0.05)',
    bottomLineColor: '#ef5350', bottomFillColor1: 'rgba(239,83,80,0.05)', bottomFillColor2: 'rgba(239,83,80,0.35)',
    priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
  });
  const volume = chart.addSeries(HistogramSeries, { color: '#5c6bc0', priceFormat: { type: 'volume' } }, 1);
  chart.panes()[1]?.setHeight(80);
  return {
    set(points) {
      score.setData(points.map((p) => ({ time: Date.parse(p.bucket) / 1000, value: p.averageScore })));
      volume.setData(points.map((p) => ({ time: Date.parse(p.bucket) / 1000, value: p.items })));
      chart.timeScale().fitContent();
    },
  };
}

const charts = {};

function seriesPath(symbol) {
  let query = `interval=${interval()}&${range()}`;
  if (symbol) query += `&symbol=${encodeURIComponent(symbol)}`;
  else if (state.dimension !== 'market' && state.value) query += `&${state.dimension}=${encodeURIComponent(state.value)}`;
  return `/api/sentiment?${query}`;
}

async function loadMood() {
  charts.mood ??= moodChart($('mood-chart'));
  const title = state.dimension === 'market' || !state.value ? 'Market mood' : `Market mood: ${state.value}`;
  $('mood-title').textContent = title;
  charts.mood.set((await api(seriesPath(null))).points);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const fmt = (n, digits = 2) => (n === null || n === undefined ? '–' : Number(n).toFixed(digits));
const time = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

async function loadMovers() {
  const [strong, swing] = await Promise.all([api(`/api/movers?${range()}&sort=strength&limit=10`), api(`/api/movers?${range()}&sort=swing&limit=10`)]);
  const rows = [...strong.movers, ...swing.movers.filter((m) => !strong.movers.some((s) => s.symbol === m.symbol))];
  $('movers').tBodies[0].replaceChildren(...rows.map((m) => el('tr', {},
    el('td', {}, el('a', { href: `#/symbol/${encodeURIComponent(m.symbol)}` }, m.symbol)),
    el('td', { class: 'num' }, String(m.items)),
    el('td', { class: `num ${m.averageScore > 0.05 ? 'bullish' : m.averageScore < -0.05 ? 'bearish' : 'neutral'}` }, fmt(m.averageScore)),
    el('td', { class: 'num' }, fmt(m.swing)))));
}

function entityText(entities) {
  const names = ['bearish', 'bullish', 'neutral'];
  return entities.map((e) => {
    const label = typeof e.sentiment === 'number' ? names[e.sentiment] : e.sentiment;
    return `${e.symbol ?? e.text}${label ? ` (${String(label).toLowerCase()})` : ''}`;
  }).join(', ');
}

function itemRow(item) {
  const copies = el('span', { class: 'copies' }, item.copies > 0 ? `+${item.copies} cop${item.copies === 1 ? 'y' : 'ies'}` : '');
  const headline = item.url ? el('a', { href: item.url, rel: 'noreferrer', target: '_blank' }, item.headline ?? '(no text)') : el('span', {}, item.headline ?? '(no text)');
  const li = el('li', { 'data-id': item.id },
    el('span', { class: `label ${item.label}` }, item.label), headline, copies,
    el('div', { class: 'meta' }, `${item.source} · ${time(item.analyzedAt)} · score ${fmt(item.score)} · confidence ${fmt(item.confidence)} · ${Math.round(item.latencyMs)} ms`,
      item.entities.length ? ` · ${entityText(item.entities)}` : '',
      ...item.symbols.flatMap((s) => [' · ', el('a', { href: `#/symbol/${encodeURIComponent(s)}` }, s)])));
  li.copies = item.copies;
  li.copiesNode = copies;
  return li;
}

function alertRow(alert) {
  return el('li', { 'data-alert': String(alert.id) },
    el('span', { class: `severity-${alert.severity}` }, `${alert.severity} · ${alert.rule}`), ' ',
    alert.symbol ? el('a', { href: `#/symbol/${encodeURIComponent(alert.symbol)}` }, alert.symbol) : null,
    el('div', {}, alert.message), el('div', { class: 'meta' }, time(alert.createdAt)));
}

function addFeedItem(item, prepend = true) {
  if (state.seen.has(item.id)) return;
  const row = itemRow(item);
  state.seen.set(item.id, row);
  const feed = $('feed');
  if (prepend) feed.prepend(row); else feed.append(row);
  while (feed.children.length > 100) {
    state.seen.delete(feed.lastElementChild.dataset.id);
    feed.lastElementChild.remove();
  }
}

function foldCopy(duplicate) {
  const row = state.seen.get(duplicate.originalId);
  if (!row) return;
  row.copies += 1;
  row.copiesNode.textContent = `+${row.copies} cop${row.copies === 1 ? 'y' : 'ies'}`;
}

function addAlert(alert, list = $('alerts'), prepend = true) {
  if (list.querySelector(`[data-alert="${alert.id}"]`)) return;
  if (prepend) list.prepend(alertRow(alert)); else list.append(alertRow(alert));
}

async function loadFeed() {
  const page = await api('/api/items?limit=30');
  page.items.forEach((i) => addFeedItem(i, false));
  const alerts = await api(`/api/alerts?${range()}&limit=50`);
  $('alerts').replaceChildren();
  alerts.alerts.forEach((a) => addAlert(a, $('alerts'), false));
}

async function loadHealth() {
  const p = await api('/api/pipeline');
  const rows = [
    ['ingest rate', `${fmt(p.ingestPerMinute, 1)} /min`],
    ['outbox backlog', p.outboxBacklog ?? '–'],
    ['analysed', `${fmt(p.analysedPerMinute, 1)} /min`],
    ['latency p95', p.latencyP95Ms === null ? '–' : `${fmt(p.latencyP95Ms, 0)} ms`],
    ['duplicate rate', p.duplicateRate === null ? '–' : `${fmt(p.duplicateRate * 100, 1)} %`],
    ['failures', p.failures ?? '–'],
  ];
  $('health').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
  $('dependencies').replaceChildren(...Object.entries(p.dependencies).map(([name, d]) =>
    el('li', { class: d.up ? 'up' : 'down', title: d.error ?? `${d.latencyMs} ms` }, `${name} ${d.up ? 'up' : 'down'}`)));
}

// EventSource cannot send an Authorization header, so the stream is read with fetch.
async function stream() {
  const badge = $('live-state');
  for (;;) {
    try {
      const response = await fetch('/api/stream', { headers: headers({ Accept: 'text/event-stream' }) });
      if (response.status === 401) { await askKey(); continue; }
      if (!response.ok) throw new Error(String(response.status));
      badge.textContent = 'live';
      badge.classList.add('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) onEvent(type, JSON.parse(data));
        }
      }
    } catch {
      // reconnect below
    }
    badge.textContent = 'reconnecting';
    badge.classList.remove('live');
    await new Promise((r) => setTimeout(r, 2000));
  }
}

let refresh;
function onEvent(type, data) {
  if (type === 'analysis') {
    addFeedItem(data);
    if (state.symbol && data.symbols.includes(state.symbol)) {
      const list = $('symbol-items');
      if (!list.querySelector(`[data-id="${data.id}"]`)) list.prepend(itemRow(data));
    }
    clearTimeout(refresh);
    refresh = setTimeout(() => (state.symbol ? loadSymbol() : Promise.all([loadMood(), loadMovers(), loadHealth()])).catch(console.error), 1500);
  } else if (type === 'duplicate') {
    foldCopy(data);
  } else if (type === 'alert') {
    addAlert(data);
    if (state.symbol && data.symbol === state.symbol) addAlert(data, $('symbol-alerts'));
  }
}

async function loadSymbol() {
  const symbol = state.symbol;
  $('symbol-title').textContent = symbol;
  charts.symbol ??= moodChart($('symbol-chart'));
  const [series, items, alerts] = await Promise.all([
    api(seriesPath(symbol)),
    api(`/api/items?symbol=${encodeURIComponent(symbol)}&limit=50`),
    api(`/api/alerts?${range()}&symbol=${encodeURIComponent(symbol)}&limit=50`),
  ]);
  charts.symbol.set(series.points);
  $('symbol-items').replaceChildren(...items.items.map(itemRow));
  $('symbol-alerts').replaceChildren(...alerts.alerts.map(alertRow));
}

const DIMENSIONS = {
  asset_class: ['equity', 'index', 'commodity', 'currency', 'crypto', 'rates', 'macro'],
  source: ['news', 'twitter', 'reddit', 'economic', 'truedata'],
};

async function route() {
  const match = /^#\/symbol\/(.+)$/.exec(location.hash);
  state.symbol = match ? decodeURIComponent(match[1]).toUpperCase() : null;
  $('overview').hidden = !!state.symbol;
  $('symbol-view').hidden = !state.symbol;
  document.body.dataset.view = state.symbol ? 'symbol' : 'overview';
  await (state.symbol ? loadSymbol() : Promise.all([loadMood(), loadMovers(), loadHealth()]));
  document.body.dataset.loaded = String(Date.now());
}

function wire() {
  $('range').addEventListener('change', (e) => { state.minutes = Number(e.target.value); route().catch(console.error); });
  $('dimension').addEventListener('change', (e) => {
    state.dimension = e.target.value;
    const select = $('dimension-value');
    select.hidden = state.dimension === 'market';
    select.replaceChildren(...(DIMENSIONS[state.dimension] ?? []).map((v) => el('option', { value: v }, v)));
    state.value = select.value;
    loadMood().catch(console.error);
  });
  $('dimension-value').addEventListener('change', (e) => { state.value = e.target.value; loadMood().catch(console.error); });
  $('symbol-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const s = $('symbol-input').value.trim();
    if (s) location.hash = `#/symbol/${encodeURIComponent(s.toUpperCase())}`;
  });
  $('mood-csv').addEventListener('click', () => downloadCsv(`${seriesPath(null)}&format=csv`, 'sentiment.csv'));
  $('movers-csv').addEventListener('click', () => downloadCsv(`/api/movers?${range()}&format=csv`, 'movers.csv'));
  $('alerts-csv').addEventListener('click', () => downloadCsv(`/api/alerts?${range()}&format=csv`, 'alerts.csv'));
  $('symbol-csv').addEventListener('click', () => downloadCsv(`${seriesPath(state.symbol)}&format=csv`, `${state.symbol}-sentiment.csv`));
  $('symbol-items-csv').addEventListener('click', () => downloadCsv(`/api/items?symbol=${encodeURIComponent(state.symbol)}&limit=500&format=csv`, `${state.symbol}-items.csv`));
  window.addEventListener('hashchange', () => route().catch(console.error));
  setInterval(() => { if (!state.symbol) loadHealth().catch(console.error); }, 10_000);
}

wire();
route().then(loadFeed).catch(console.error).finally(stream);
