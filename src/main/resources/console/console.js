// Harvester's console: a page over the /api endpoints, no build step. The token is asked once and kept
// in sessionStorage (this tab only); every call sends it as a bearer token.
(function () {
  'use strict';
  const KEY = 'harvester.token';
  const $ = (id) => document.getElementById(id);
  let openRun = null;
  let logAfter = 0;

  function token() { return sessionStorage.getItem(KEY); }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: Object.assign({ 'Authorization': 'Bearer ' + token() }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      showLogin('The token was refused.');
      throw new Error('401');
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new Error((data && data.error) || response.statusText);
    }
    return data;
  }

  // the API answers lists either bare or inside an object; take the first array found
  function listOf(data) {
    if (Array.isArray(data)) return data;
    if (data) for (const value of Object.values(data)) if (Array.isArray(value)) return value;
    return [];
  }

  function field(row, ...names) {
    for (const name of names) if (row[name] !== undefined && row[name] !== null) return row[name];
    return '';
  }

  function cell(tr, value, className) {
    const td = document.createElement('td');
    td.textContent = value === '' ? '' : String(value);
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  function duration(row) {
    const ms = field(row, 'durationMs', 'duration_ms');
    if (ms !== '') return (ms / 1000).toFixed(1) + ' s';
    return field(row, 'duration');
  }

  async function refreshRuns() {
    const params = new URLSearchParams({ limit: '50' });
    if ($('filter-pipeline').value) params.set('pipeline', $('filter-pipeline').value);
    if ($('filter-status').value) params.set('status', $('filter-status').value);
    const runs = listOf(await api('GET', '/api/runs?' + params));
    const body = $('runs-table').tBodies[0];
    body.replaceChildren();
    for (const run of runs) {
      const tr = document.createElement('tr');
      tr.className = 'run';
      tr.dataset.id = run.id;
      cell(tr, run.id);
      cell(tr, field(run, 'pipeline'));
      cell(tr, field(run, 'trigger'));
      cell(tr, field(run, 'status'), 'status status-' + field(run, 'status'));
      cell(tr, field(run, 'progress'));
      cell(tr, field(run, 'currentStep', 'current_step'));
      cell(tr, field(run, 'startedAt', 'started_at'));
      cell(tr, duration(run));
      tr.addEventListener('click', () => openRunPage(run.id));
      body.appendChild(tr);
    }
  }

  async function refreshPipelines() {
    const pipelines = listOf(await api('GET', '/api/pipelines'));
    const body = $('pipelines-table').tBodies[0];
    const select = $('start-pipeline');
    const chosen = select.value;
    body.replaceChildren();
    select.replaceChildren();
    for (const p of pipelines) {
      const name = field(p, 'pipeline', 'name');
      const tr = document.createElement('tr');
      cell(tr, name);
      cell(tr, field(p, 'kind'));
      cell(tr, field(p, 'schedule', 'cron'));
      cell(tr, field(p, 'nextFireTime', 'nextFire', 'next_fire_time'));
      cell(tr, field(p, 'routeStatus', 'routeState', 'route'));
      cell(tr, field(p, 'breakerState', 'breaker'));
      const last = field(p, 'lastRun');
      cell(tr, last && typeof last === 'object' ? last.id + ' ' + last.status : last);
      body.appendChild(tr);
      const option = document.createElement('option');
      option.value = option.textContent = name;
      select.appendChild(option);
    }
    if (chosen) select.value = chosen;
  }

  // every instance on the database: a dead one's live runs are taken over once its lease runs out
  async function refreshInstances() {
    const instances = listOf(await api('GET', '/api/instances'));
    const body = $('instances-table').tBodies[0];
    body.replaceChildren();
    for (const i of instances) {
      const tr = document.createElement('tr');
      cell(tr, field(i, 'id') + (i.self ? ' (this one)' : ''));
      cell(tr, field(i, 'host'));
      cell(tr, field(i, 'startedAt'));
      cell(tr, field(i, 'lastBeat'));
      cell(tr, i.alive ? 'yes' : 'no', i.alive ? 'status status-running' : 'status status-abandoned');
      cell(tr, field(i, 'liveRuns'));
      body.appendChild(tr);
    }
  }

  async function openRunPage(id) {
    openRun = id;
    logAfter = 0;
    $('run-log').textContent = '';
    $('run').hidden = false;
    await refreshRun();
    $('run').scrollIntoView();
  }

  async function refreshRun() {
    if (openRun === null) return;
    const run = await api('GET', '/api/runs/' + openRun);
    $('run-id').textContent = run.id;
    $('run-status').textContent = field(run, 'status');
    $('run-status').className = 'status status-' + field(run, 'status');
    const takeovers = field(run, 'takeovers');
    $('run-owner').textContent = 'Instance: ' + field(run, 'owner')
      + (takeovers ? ' (taken over ' + takeovers + (takeovers === 1 ? ' time)' : ' times)') : '');
    $('run-error').textContent = field(run, 'error');
    const steps = $('run-steps').tBodies[0];
    steps.replaceChildren();
    for (const step of listOf({ steps: run.steps })) {
      const tr = document.createElement('tr');
      cell(tr, field(step, 'ordinal'));
      cell(tr, field(step, 'name'));
      cell(tr, field(step, 'status'), 'status status-' + field(step, 'status'));
      cell(tr, field(step, 'records'));
      cell(tr, duration(step));
      cell(tr, field(step, 'error'));
      steps.appendChild(tr);
    }
    const files = listOf(await api('GET', '/api/runs/' + openRun + '/files'));
    const list = $('run-files');
    list.replaceChildren();
    for (const file of files) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      const name = field(file, 'name', 'fileName', 'path');
      link.href = '#';
      link.className = 'download';
      link.textContent = name;
      link.addEventListener('click', (e) => { e.preventDefault(); download(openRun, file.id, String(name).split('/').pop()); });
      li.appendChild(link);
      list.appendChild(li);
    }
    const logs = listOf(await api('GET', '/api/runs/' + openRun + '/logs?after=' + logAfter + '&limit=200'));
    for (const line of logs) {
      logAfter = Math.max(logAfter, line.id || 0);
      $('run-log').textContent += [field(line, 'ts', 'at', 'loggedAt'), field(line, 'level'), field(line, 'step'),
        field(line, 'message')].filter(String).join(' ') + '\n';
    }
  }

  // a link cannot carry the bearer token: fetch the file, then hand the browser a blob to save
  async function download(runId, fileId, name) {
    const response = await fetch('/api/runs/' + runId + '/files/' + fileId, { headers: { 'Authorization': 'Bearer ' + token() } });
    if (!response.ok) { $('run-error').textContent = 'download failed: ' + response.status; return; }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  function showLogin(message) {
    $('app').hidden = true;
    $('login').hidden = false;
    $('who').textContent = message || '';
  }

  async function tick() {
    if (!token()) return;
    try {
      await refreshRuns();
      await refreshRun();
      await refreshInstances();
    } catch (e) {
      $('who').textContent = e.message === '401' ? '' : 'API: ' + e.message;
    }
  }

  function showApp() {
    $('login').hidden = true;
    $('app').hidden = false;
    $('who').textContent = '';
    refreshPipelines().catch((e) => { $('who').textContent = 'API: ' + e.message; });
    tick();
  }

  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('token').value.trim());
    showApp();
  });
  $('forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); showLogin(); });
  $('run-close').addEventListener('click', () => { openRun = null; $('run').hidden = true; });
  $('run-cancel').addEventListener('click', async () => {
    try { await api('POST', '/api/runs/' + openRun + '/cancel', {}); await refreshRun(); }
    catch (e) { $('run-error').textContent = e.message; }
  });
  $('start-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const request = { pipeline: $('start-pipeline').value, mode: $('start-mode').value };
    if ($('start-step').value) request.step = $('start-step').value;
    try {
      const started = await api('POST', '/api/runs', request);
      $('start-result').textContent = 'started run ' + started.id;
      await refreshRuns();
      await openRunPage(started.id);
    } catch (err) {
      $('start-result').textContent = err.message;
    }
  });
  $('filter-pipeline').addEventListener('change', tick);
  $('filter-status').addEventListener('change', tick);

  setInterval(tick, 2000);
  setInterval(() => { if (token()) refreshPipelines().catch(() => {}); }, 15000);
  if (token()) showApp(); else showLogin();
})();
