/**
 * The live dashboard: one page, no build step, using only the control API. Charts are uPlot
 * (served from /assets), fed by the /api/events stream; the device table is paged and searched
 * by the server; a device's panel (its own link, #device=SERIAL) shows its identity, recent
 * sessions with their events (each opening its trace), pending events, queued transfers,
 * actions, and a paged, searchable browser of its data model. Where the bundled test ACS is the
 * ACS, a writable value is edited and instances added or deleted through it (the RPC queued, a
 * connection request sent), as on an ACS's device page; a live log shows what the ACS asks.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cwmp-agent</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%231d2330'/%3E%3Cpath d='M3 11h2V8H3zm4 0h2V5H7zm4 0h2V3h-2z' fill='%234a8'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/assets/uplot.css">
<style>
  /* No scroll anchoring: a panel filling in must not carry the page along with the rows below it. */
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; overflow-anchor: none; }
  header { background: #1d2330; color: #fff; padding: 10px 20px; display: flex; gap: 28px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0 12px 0 0; }
  .figure b { font-size: 20px; display: block; }
  .figure span { opacity: .7; font-size: 12px; }
  main { padding: 16px 20px; display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 16px; }
  section { background: #fff; border-radius: 6px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  section.wide { grid-column: 1 / -1; }
  section { min-width: 0; overflow-x: auto; }
  td { overflow-wrap: anywhere; }
  /* A narrow window: one column, charts one under another. */
  @media (max-width: 1000px) { main { grid-template-columns: 1fr; padding: 12px 8px; } header { gap: 14px; } }
  h2 { font-size: 14px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceef2; }
  tr.device { cursor: pointer; }
  tr.device:hover { background: #eef3ff; }
  .ok { color: #1a7f37; } .bad { color: #c62828; } .muted { color: #7a8190; }
  input, select, button { font: inherit; padding: 4px 8px; }
  button { cursor: pointer; }
  .acs-only { display: none; margin: 4px 0 8px; }
  body.acs .acs-only { display: block; }
  body.acs button.acs-only { display: inline; }
  .usp-only { display: none; }
  body.usp div.figure.usp-only { display: block; }
  body.usp th.usp-only, body.usp td.usp-only { display: table-cell; }
  /* An open device comes first, under the header: on screen when opened, from a link too. */
  #device { display: none; order: -1; }
  pre { background: #f0f2f5; padding: 8px; overflow: auto; max-height: 320px; }
</style>
</head>
<body>
<header>
  <h1>cwmp-agent <span id="kind" class="muted"></span></h1>
  <div class="figure"><b id="f-devices">–</b><span>devices</span></div>
  <div class="figure"><b id="f-online">–</b><span>online</span></div>
  <div class="figure"><b id="f-bootstrapped">–</b><span>bootstrapped</span></div>
  <div class="figure"><b id="f-rate">–</b><span>sessions/s</span></div>
  <div class="figure"><b id="f-p50">–</b><span>p50 ms</span></div>
  <div class="figure"><b id="f-p99">–</b><span>p99 ms</span></div>
  <div class="figure"><b id="f-failed">–</b><span>failed sessions</span></div>
  <div class="figure usp-only"><b id="f-usp-connected">–</b><span>USP connected</span></div>
  <div class="figure usp-only"><b id="f-usp-announced">–</b><span>USP announced</span></div>
  <div class="figure usp-only"><b id="f-usp-messages">–</b><span>USP messages in / out</span></div>
</header>
<main>
  <section><h2>Devices online</h2><div id="chart-online" class="chart"></div></section>
  <section><h2>Sessions per second</h2><div id="chart-rate" class="chart"></div></section>
  <section><h2>Session latency (ms)</h2><div id="chart-latency" class="chart"></div></section>
  <section class="wide"><h2>Failures by kind</h2><table id="failures"><tbody><tr><td class="muted">none</td></tr></tbody></table></section>
  <section class="wide"><h2>Live RPC log <span class="muted">(what the ACS asked, newest first)</span></h2><table><tbody id="rpc-log"><tr><td class="muted">nothing yet</td></tr></tbody></table></section>
  <section class="wide" id="devices-section">
    <h2>Devices <span id="total" class="muted"></span></h2>
    <div>
      <input id="search" placeholder="serial number…" size="24">
      <select id="status"><option value="all">all</option><option value="online">online</option><option value="offline">offline</option></select>
      <button id="prev">◀</button> <span id="page"></span> <button id="next">▶</button>
      <span id="add-box"> · add <input id="add-count" type="number" value="10" min="1" style="width:5em"> <button id="add">add devices</button></span>
    </div>
    <table><thead><tr><th>serial</th><th>status</th><th>bootstrapped</th><th class="usp-only">USP</th><th>last session</th></tr></thead><tbody id="rows"></tbody></table>
  </section>
  <section class="wide" id="device">
    <h2>Device <span id="d-serial"></span> <button id="d-close">close</button></h2>
    <div>
      <button data-action="inform">inform</button>
      <button data-action="reboot">reboot</button>
      <button data-action="factory-reset">factory reset</button>
      <button data-action="power-off">power off</button>
      <button data-action="power-on">power on</button>
      · set <input id="d-name" placeholder="Device.…" size="40"> = <input id="d-value" size="16"> <button id="d-set">set as the device</button>
      <span id="d-result" class="muted"></span>
    </div>
    <table><tbody id="d-identity"></tbody></table>
    <h2>Counters <span class="muted">(since the dashboard started)</span></h2><table><tbody id="d-counters"></tbody></table>
    <h2>Recent sessions <span class="muted">(newest first)</span></h2><table><tbody id="d-sessions"></tbody></table>
    <h2>Pending events</h2><div id="d-events" class="muted"></div>
    <h2>Queued transfers</h2><div id="d-transfers" class="muted"></div>
    <h2>Trace</h2><pre id="d-trace" class="muted">choose a session</pre>
    <h2>Data model <input id="d-search" placeholder="search names and values…" size="30"> <button id="d-pprev">◀</button> <span id="d-ptotal" class="muted"></span> <button id="d-pnext">▶</button></h2>
    <div class="acs-only">through the ACS: object <input id="d-object" placeholder="Device.….{i}. table or instance" size="36"> <button id="d-add">add instance</button> <button id="d-delete">delete instance</button></div>
    <table><thead><tr><th>name</th><th>value</th><th>type</th><th>notification</th><th></th></tr></thead><tbody id="d-params"></tbody></table>
  </section>
</main>
<script src="/assets/uplot.js"></script>
<script>
(() => {
  const token = new URLSearchParams(location.search).get('token');
  const api = (path, init = {}) => fetch(path + (token ? (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : ''), { ...init, headers: { 'content-type': 'application/json', ...(init.headers || {}) } });
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const state = { series: [], offset: 0, limit: 50, serial: null, points: 0, poffset: 0, plimit: 200 };
  window.__dashboard = state;

  const width = () => Math.max(280, Math.floor(document.querySelector('.chart').parentElement.clientWidth - 24));
  const make = (id, series) => new uPlot({ width: width(), height: 180, series: [{}, ...series], axes: [{}, {}], scales: { x: { time: true } } }, [[], ...series.map(() => [])], $(id));
  const charts = {
    online: make('chart-online', [{ label: 'online', stroke: '#1a73e8', width: 2 }]),
    rate: make('chart-rate', [{ label: 'sessions/s', stroke: '#1a7f37', width: 2 }, { label: 'failed/s', stroke: '#c62828', width: 2 }]),
    latency: make('chart-latency', [{ label: 'p50', stroke: '#6a1b9a', width: 2 }, { label: 'p99', stroke: '#ef6c00', width: 2 }]),
  };
  const redraw = () => {
    const s = state.series.slice(-600);
    const t = s.map((p) => p.t / 1000);
    charts.online.setData([t, s.map((p) => p.online)]);
    charts.rate.setData([t, s.map((p) => p.sessionsPerSecond), s.map((p) => p.failedPerSecond)]);
    charts.latency.setData([t, s.map((p) => p.p50), s.map((p) => p.p99)]);
    state.points = s.length;
    const last = s[s.length - 1];
    if (last) { $('f-rate').textContent = last.sessionsPerSecond; $('f-p50').textContent = last.p50; $('f-p99').textContent = last.p99; }
  };
  const showSummary = (sum) => {
    $('kind').textContent = sum.kind + (sum.profile ? ' · ' + sum.profile : '');
    $('f-devices').textContent = sum.devices; $('f-online').textContent = sum.online; $('f-bootstrapped').textContent = sum.bootstrapped;
    $('f-failed').textContent = sum.sessions.failed;
    $('add-box').style.display = sum.kind === 'fleet' ? '' : 'none';
    document.body.classList.toggle('acs', !!sum.bundledAcs);
    document.body.classList.toggle('usp', !!sum.usp);
    if (sum.usp) {
      $('f-usp-connected').textContent = sum.usp.connected; $('f-usp-announced').textContent = sum.usp.announced;
      $('f-usp-messages').textContent = sum.usp.requests + ' / ' + (sum.usp.responses + sum.usp.notifications + sum.usp.errors);
    }
    const f = Object.entries(sum.failures);
    $('failures').tBodies[0].innerHTML = f.length ? f.sort((a, b) => b[1] - a[1]).map(([k, n]) => '<tr><td>' + esc(k) + '</td><td>' + n + '</td></tr>').join('') : '<tr><td class="muted">none</td></tr>';
  };
  const events = new EventSource('/api/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
  events.onmessage = (m) => {
    const d = JSON.parse(m.data);
    if (d.series) state.series = d.series;
    if (d.point) state.series.push(d.point);
    if (state.series.length > 600) state.series.splice(0, state.series.length - 600);
    redraw();
    showSummary(d.summary);
    if (d.rpcLog) showRpcLog(d.rpcLog);
  };
  const rpcLog = [];
  const showRpcLog = (lines) => {
    rpcLog.unshift(...lines.slice().reverse());
    rpcLog.splice(100);
    $('rpc-log').innerHTML = rpcLog.map((l) => '<tr><td class="muted">' + esc(l.at.slice(11, 19)) + '</td><td><a href="#" data-serial="' + esc(l.serial) + '">' + esc(l.serial) + '</a></td><td>session ' + l.session + '</td><td class="rpcs">' + esc(l.rpcs.join(', ')) + '</td><td class="' + (l.ok ? 'ok' : 'bad') + '">' + (l.ok ? 'ok' : 'failed') + '</td></tr>').join('');
  };
  $('rpc-log').onclick = (e) => { const a = e.target.closest('a[data-serial]'); if (a) { e.preventDefault(); openDevice(a.dataset.serial); } };

  const loadDevices = async () => {
    const q = 'offset=' + state.offset + '&limit=' + state.limit + '&status=' + $('status').value + '&search=' + encodeURIComponent($('search').value);
    const r = await (await api('/api/devices?' + q)).json();
    $('total').textContent = '(' + r.total + ')';
    $('page').textContent = r.total ? (state.offset + 1) + '–' + Math.min(r.total, state.offset + state.limit) : '0';
    $('rows').innerHTML = r.items.map((d) => '<tr class="device" data-serial="' + esc(d.serial) + '"><td>' + esc(d.serial) + '</td><td class="' + (d.online ? 'ok' : 'muted') + '">' + (d.online ? 'online' : 'offline') + '</td><td>' + (d.bootstrapped ? 'yes' : 'no') + '</td><td class="usp-only ' + (d.usp ? (d.usp.connected ? 'ok' : 'bad') : 'muted') + '">' + (d.usp ? (d.usp.connected ? 'connected' : 'not connected') : '—') + '</td><td>' + (d.lastSession ? '<span class="' + (d.lastSession.ok ? 'ok' : 'bad') + '">' + esc(d.lastSession.at) + '</span>' : '') + '</td></tr>').join('');
  };
  $('search').oninput = () => { state.offset = 0; loadDevices(); };
  $('status').onchange = () => { state.offset = 0; loadDevices(); };
  $('prev').onclick = () => { state.offset = Math.max(0, state.offset - state.limit); loadDevices(); };
  $('next').onclick = () => { state.offset += state.limit; loadDevices(); };
  $('add').onclick = async () => { await api('/api/devices', { method: 'POST', body: JSON.stringify({ count: Number($('add-count').value) }) }); loadDevices(); };
  $('rows').onclick = (e) => { const tr = e.target.closest('tr.device'); if (tr) openDevice(tr.dataset.serial); };
  setInterval(loadDevices, 2000);
  loadDevices();

  const openDevice = async (serial, keepPage) => {
    // A link to this device: #device=SERIAL opens it again (a bookmark, a colleague's link).
    if (state.serial !== serial) { state.poffset = 0; history.replaceState(null, '', '#device=' + encodeURIComponent(serial)); }
    const first = state.serial !== serial;
    state.serial = serial;
    $('device').style.display = 'block';
    $('d-serial').textContent = serial;
    // The panel is first under the header: the top of the page shows it.
    if (first && !keepPage) window.scrollTo(0, 0);
    await refreshDevice();
    loadParameters();
  };
  // The open device's details, again every two seconds: its sessions and counters as they happen.
  const refreshDevice = async () => {
    const serial = state.serial;
    if (!serial) return;
    const r = await api('/api/devices/' + encodeURIComponent(serial));
    if (!r.ok || serial !== state.serial) return;
    const d = await r.json();
    $('d-identity').innerHTML = Object.entries(d.identity || {}).map(([k, v]) => '<tr><td>' + esc(k) + '</td><td>' + esc(v) + '</td></tr>').join('') + '<tr><td>status</td><td>' + (d.online ? 'online' : 'offline') + '</td></tr>' + (d.usp ? '<tr><td>USP EndpointID</td><td class="usp-endpoint">' + esc(d.usp.endpointId) + '</td></tr><tr><td>USP</td><td>' + (d.usp.connected ? 'connected' : 'not connected') + '</td></tr>' : '');
    $('d-sessions').innerHTML = d.recentSessions.slice().reverse().map((s) => '<tr><td><a href="#" data-session="' + s.session + '">session ' + s.session + '</a></td><td>' + esc(s.at) + '</td><td class="events">' + esc((s.events || []).join(', ')) + '</td><td class="rpcs">' + esc((s.rpcs || []).join(', ') || '—') + '</td><td>' + s.ms + ' ms</td><td class="' + (s.ok ? 'ok' : 'bad') + '">' + (s.ok ? 'ok' : esc(s.reason || 'failed')) + '</td></tr>').join('') || '<tr><td class="muted">none yet</td></tr>';
    const c = d.counters || { informs: 0, failed: 0, events: {}, rpcs: {} };
    const tally = (o) => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, n]) => esc(k) + ' ' + n).join(', ') || '—';
    $('d-counters').innerHTML = '<tr><td>Informs</td><td>' + c.informs + (c.failed ? ' (' + c.failed + ' sessions failed)' : '') + '</td></tr><tr><td>events</td><td>' + tally(c.events) + '</td></tr><tr><td>RPCs by method</td><td class="rpc-counts">' + tally(c.rpcs) + '</td></tr><tr><td>connection requests refused (credentials)</td><td class="cr-auth">' + (c.connectionRequestAuthFailures || 0) + '</td></tr>';
    $('d-events').textContent = d.pendingEvents.join(', ') || 'none';
    $('d-transfers').textContent = d.queuedTransfers.map((t) => t.fileType + ' ' + t.phase).join(', ') || 'none';
  };
  // The data model stays live too, unless a value is being edited.
  setInterval(() => { refreshDevice(); if (state.serial && !document.querySelector('#d-params input.edit-value')) loadParameters(); }, 2000);
  $('d-sessions').onclick = async (e) => {
    const a = e.target.closest('a[data-session]');
    if (!a) return;
    e.preventDefault();
    const r = await api('/api/devices/' + encodeURIComponent(state.serial) + '/trace?session=' + a.dataset.session);
    $('d-trace').textContent = r.ok ? await r.text() : (await r.json()).error;
  };
  const loadParameters = async () => {
    const r = await api('/api/devices/' + encodeURIComponent(state.serial) + '/parameters?offset=' + state.poffset + '&limit=' + state.plimit + '&search=' + encodeURIComponent($('d-search').value));
    const p = await r.json();
    if (!r.ok) { $('d-params').innerHTML = '<tr><td class="muted">' + esc(p.error) + '</td></tr>'; return; }
    state.ptotal = p.total;
    $('d-ptotal').textContent = p.total ? (p.offset + 1) + '–' + Math.min(p.total, p.offset + p.items.length) + ' of ' + p.total + ' parameters' : 'no parameters';
    $('d-params').innerHTML = p.items.map((x) => '<tr data-name="' + esc(x.name) + '" data-type="' + esc(x.type) + '"><td>' + esc(x.name) + '</td><td class="value">' + esc(x.value) + '</td><td class="muted">' + x.type + '</td><td>' + x.notification + '</td><td>' + (x.writable ? '<button class="edit acs-only">edit</button>' : '') + '</td></tr>').join('');
  };
  // Through the bundled ACS: the RPC queued for the device and a connection request sent, as an ACS does.
  const acsRequest = async (request) => {
    const r = await api('/api/devices/' + encodeURIComponent(state.serial) + '/acs-requests', { method: 'POST', body: JSON.stringify({ request }) });
    const out = await r.json();
    $('d-result').textContent = r.ok ? request.method + ' queued; connection request ' + out.connectionRequest : out.error;
    return r.ok;
  };
  $('d-params').onclick = async (e) => {
    const tr = e.target.closest('tr[data-name]');
    if (!tr) return;
    if (e.target.classList.contains('edit')) {
      const td = tr.querySelector('td.value');
      td.innerHTML = '<input class="edit-value" size="24"> <button class="edit-save">set through the ACS</button>';
      td.querySelector('input').value = td.dataset.was = tr.cells[1].textContent;
      td.querySelector('input').focus();
    } else if (e.target.classList.contains('edit-save')) {
      const value = tr.querySelector('input.edit-value').value;
      if (await acsRequest({ method: 'SetParameterValues', parameterList: [{ name: tr.dataset.name, value, type: tr.dataset.type }], parameterKey: 'dashboard' })) tr.cells[1].textContent = value;
    }
  };
  $('d-add').onclick = () => acsRequest({ method: 'AddObject', objectName: $('d-object').value, parameterKey: 'dashboard' });
  $('d-delete').onclick = () => acsRequest({ method: 'DeleteObject', objectName: $('d-object').value, parameterKey: 'dashboard' });
  $('d-search').oninput = () => { state.poffset = 0; loadParameters(); };
  $('d-pprev').onclick = () => { state.poffset = Math.max(0, state.poffset - state.plimit); loadParameters(); };
  $('d-pnext').onclick = () => { if (state.poffset + state.plimit < (state.ptotal || 0)) { state.poffset += state.plimit; loadParameters(); } };
  $('d-close').onclick = () => { $('device').style.display = 'none'; state.serial = null; history.replaceState(null, '', location.pathname + location.search); };
  const fromLink = /^#device=(.+)$/.exec(location.hash);
  if (fromLink) openDevice(decodeURIComponent(fromLink[1]));
  document.querySelectorAll('button[data-action]').forEach((b) => b.onclick = async () => {
    const r = await api('/api/devices/' + encodeURIComponent(state.serial) + '/actions', { method: 'POST', body: JSON.stringify({ action: b.dataset.action }) });
    $('d-result').textContent = r.ok ? b.dataset.action + ': done' : (await r.json()).error;
    setTimeout(() => openDevice(state.serial, true), 1000);
  });
  $('d-set').onclick = async () => {
    const r = await api('/api/devices/' + encodeURIComponent(state.serial) + '/values', { method: 'PUT', body: JSON.stringify({ values: { [$('d-name').value]: $('d-value').value } }) });
    $('d-result').textContent = r.ok ? 'set' : (await r.json()).error;
    loadParameters();
  };
})();
</script>
</body>
</html>
`;
