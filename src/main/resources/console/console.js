// Harvester's console: a page over the /api endpoints, no build step, no library. Every view has a URL
// (#/runs?search=&status=&trigger=&since=&until=&offset=, #/runs/42, #/pipelines, #/pipelines/export:orders,
// #/instances), so a view can be shared, reloaded and left with the back button. The open view asks the API
// again every 2 s and redraws only what changed; a run's log is asked only for the lines after the last one shown.
// The token is asked once and kept in sessionStorage (this tab only); every call sends it as a bearer token.
(function () {
  'use strict';
  const KEY = 'harvester.token';
  const PAGE = 25;
  const LIVE = ['pending', 'running'];
  const $ = (id) => document.getElementById(id);
  const shown = {};           // the JSON each part of the page was last drawn from
  let pipelines = [];         // GET /api/pipelines, asked again every 15 s
  let route = null;
  let log = { run: null, level: null, after: 0 };

  function token() { return sessionStorage.getItem(KEY); }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: Object.assign({ 'Authorization': 'Bearer ' + token() }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      showLogin('The API refused this token (401): it is not the daemon\'s HARVESTER_API_TOKEN'
        + ' (the dev profile keeps it in data/api-token). Paste the token again.');
      throw new Error('401');
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new Error((data && data.error) || response.status + ' ' + response.statusText);
    }
    return data;
  }

  // ---------------------------------------------------------------- words for times and amounts

  function local(ts) { return ts ? new Date(ts).toLocaleString() : ''; }

  function took(ms) {
    if (ms === null || ms === undefined || ms === '') return '';
    if (ms < 1000) return ms + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + Math.round(s - 60 * m) + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }

  function relative(ts) {
    if (!ts) return '';
    const seconds = Math.round((Date.now() - new Date(ts).getTime()) / 1000);
    const size = Math.abs(seconds);
    const amount = size < 60 ? size + ' s' : size < 3600 ? Math.round(size / 60) + ' min'
      : size < 86400 ? Math.round(size / 3600) + ' h' : Math.round(size / 86400) + ' d';
    return seconds >= 0 ? amount + ' ago' : 'in ' + amount;
  }

  function number(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en'); }

  // ---------------------------------------------------------------- small DOM helpers

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) node.append(child instanceof Node ? child : String(child ?? ''));
    return node;
  }

  function link(href, text) { return el('a', { href, textContent: text }); }

  function statusBadge(status) { return el('span', { className: 'status status-' + status, textContent: status }); }

  function timeCell(ts) {
    const td = el('td', { className: 'time', textContent: relative(ts), title: local(ts) });
    return td;
  }

  function progressOf(run) {
    if (LIVE.includes(run.status)) {
      return el('span', {}, el('progress', { max: 100, value: run.progress || 0, title: (run.progress || 0) + ' %' }),
        ' ' + (run.currentStep || ''));
    }
    return el('span', { textContent: run.currentStep || '' });
  }

  // draws into a part only when its data changed: a redraw every 2 s would lose focus and selections
  function changed(part, data) {
    const json = JSON.stringify(data);
    if (shown[part] === json) return false;
    shown[part] = json;
    return true;
  }

  function pipelineHref(name) { return '#/pipelines/' + encodeURIComponent(name); }

  // ---------------------------------------------------------------- the URL

  function parse() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, query] = hash.split('?');
    const parts = path.split('/').filter(Boolean).map((part) => {
      try { return decodeURIComponent(part); } catch (e) { return part; }
    });
    const params = new URLSearchParams(query || '');
    if (parts[0] === 'runs' && parts[1]) return { view: 'run', id: parts[1], params };
    if (parts[0] === 'pipelines' && parts[1]) return { view: 'pipeline', name: parts.slice(1).join('/'), params };
    if (parts[0] === 'pipelines') return { view: 'pipelines', params };
    if (parts[0] === 'instances') return { view: 'instances', params };
    return { view: 'runs', params };
  }

  function go(hash) { location.hash = hash; }

  async function render() {
    if (!token()) return;
    route = parse();
    for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== 'view-' + route.view;
    for (const a of document.querySelectorAll('#nav a')) {
      a.classList.toggle('current', a.dataset.view === route.view || a.dataset.view + 's' === route.view);
    }
    for (const part of Object.keys(shown)) delete shown[part];
    if (route.view === 'runs') fillFilters(route.params);
    if (route.view === 'run' && log.run !== route.id) resetLog(route.id);
    document.title = 'Harvester: ' + (route.view === 'run' ? 'run ' + route.id : route.view === 'pipeline' ? route.name : route.view);
    // a refresh of the view before still under way draws that one: this view's own comes after it
    if (pending) await pending;
    await refresh();
  }

  let pending = null;

  // one refresh at a time: the 2 s poll skips a turn while one is under way
  function refresh() {
    if (!pending) pending = draw().finally(() => { pending = null; });
    return pending;
  }

  async function draw() {
    if (!token() || !route) return;
    try {
      if (route.view === 'runs') await drawRuns();
      if (route.view === 'run') await drawRun();
      if (route.view === 'pipelines') await drawPipelines();
      if (route.view === 'pipeline') await drawPipeline();
      if (route.view === 'instances') await drawInstances();
      $('notice').textContent = '';
    } catch (e) {
      if (e.message !== '401') $('notice').textContent = 'API: ' + e.message;
    }
  }

  // ---------------------------------------------------------------- runs

  const FILTERS = ['search', 'status', 'trigger', 'since', 'until'];

  function fillFilters(params) {
    $('filter-search').value = params.get('search') || params.get('pipeline') || '';
    $('filter-status').value = params.get('status') || '';
    $('filter-trigger').value = params.get('trigger') || '';
    // datetime-local holds local wall time without a zone
    for (const name of ['since', 'until']) {
      const value = params.get(name);
      const date = value ? new Date(value) : null;
      $('filter-' + name).value = date && !isNaN(date) ? new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16) : '';
    }
  }

  function filtersHash(offset) {
    const params = new URLSearchParams();
    if ($('filter-search').value.trim()) params.set('search', $('filter-search').value.trim());
    if ($('filter-status').value) params.set('status', $('filter-status').value);
    if ($('filter-trigger').value) params.set('trigger', $('filter-trigger').value);
    for (const name of ['since', 'until']) {
      if ($('filter-' + name).value) params.set(name, new Date($('filter-' + name).value).toISOString());
    }
    const limit = route.params.get('limit');
    if (limit) params.set('limit', limit);
    if (offset) params.set('offset', offset);
    return '#/runs' + (params.toString() ? '?' + params : '');
  }

  async function drawRuns() {
    const params = route.params;
    const limit = Number(params.get('limit')) || PAGE;
    const offset = Number(params.get('offset')) || 0;
    const query = new URLSearchParams({ limit, offset });
    for (const name of FILTERS.concat('pipeline')) if (params.get(name)) query.set(name, params.get(name));
    const runs = (await api('GET', '/api/runs?' + query)).runs;
    $('page-prev').disabled = offset === 0;
    $('page-next').disabled = runs.length < limit;
    $('page-info').textContent = runs.length ? 'runs ' + (offset + 1) + '–' + (offset + runs.length) : 'no runs';
    if (!changed('runs', runs)) {
      return;
    }
    const body = $('runs-table').tBodies[0];
    body.replaceChildren(...runs.map((run) => el('tr', { className: 'run' },
      el('td', {}, link('#/runs/' + run.id, run.id)),
      el('td', {}, link(pipelineHref(run.pipeline), run.pipeline)),
      el('td', {}, statusBadge(run.status)),
      el('td', {}, progressOf(run)),
      timeCell(run.startedAt || run.createdAt),
      el('td', { textContent: took(run.durationMs) }),
      el('td', { textContent: number(run.records) }),
      el('td', { className: 'wide', textContent: run.trigger || '' }),
      el('td', { className: 'wide', textContent: run.owner || '' }))));
  }

  // ---------------------------------------------------------------- one run

  function resetLog(id) {
    log = { run: id, level: $('log-level').value, after: 0 };
    $('run-log').textContent = '';
  }

  async function drawRun() {
    const id = route.id;
    const run = await api('GET', '/api/runs/' + encodeURIComponent(id));
    let pipeline = pipelines.find((p) => p.name === run.pipeline);
    if (!LIVE.includes(run.status) && pipeline && (!pipeline.lastRun || pipeline.lastRun.id < run.id)) {
      // the list was read before this run ended: whether it is its pipeline's newest decides what re-running does
      pipeline = (await loadPipelines()).find((p) => p.name === run.pipeline);
    }
    if (changed('run', [run, pipeline ? pipeline.lastRun : null])) {
      $('run-id').textContent = run.id;
      $('run-status').textContent = run.status;
      $('run-status').className = 'status status-' + run.status;
      $('run-pipeline').textContent = run.pipeline;
      $('run-pipeline').href = pipelineHref(run.pipeline);
      $('run-trigger').textContent = run.trigger || '';
      $('run-resumes').replaceChildren(run.resumedFrom ? link('#/runs/' + run.resumedFrom, 'run ' + run.resumedFrom) : 'nothing: it started anew');
      $('run-params').textContent = run.params && Object.keys(run.params).length ? JSON.stringify(run.params) : 'none';
      $('run-created').textContent = local(run.createdAt) + (run.createdAt ? ' (' + relative(run.createdAt) + ')' : '');
      $('run-started').textContent = local(run.startedAt);
      $('run-finished').textContent = run.finishedAt ? local(run.finishedAt) : LIVE.includes(run.status) ? 'still running' : '';
      $('run-took').textContent = took(run.durationMs);
      $('run-owner').textContent = (run.owner || '') + (run.takeovers ? ' (taken over ' + run.takeovers
        + (run.takeovers === 1 ? ' time)' : ' times)') : '');
      $('run-progress').replaceChildren(progressOf(run));
      $('run-error').textContent = run.error || '';
      const live = LIVE.includes(run.status);
      $('run-cancel').hidden = !live;
      $('run-rerun').hidden = live;
      // a job's next run resumes after one that did not complete (restart-from failed-step): say so on the newest
      const resumes = !live && run.status !== 'completed' && pipeline && pipeline.restartFrom === 'failed-step'
        && pipeline.lastRun && pipeline.lastRun.id === run.id;
      $('run-rerun').textContent = resumes ? 'Resume from the failed step' : 'Re-run';
      $('run-retry').hidden = !(run.pipeline.startsWith('crawl:') && run.status === 'partial');
      drawStepChoice('run', run.pipeline, live);
      $('run-steps').tBodies[0].replaceChildren(...(run.steps || []).map((step) => el('tr', { className: 'step-' + step.status },
        el('td', { textContent: step.ordinal }),
        el('td', { textContent: step.name }),
        el('td', {}, statusBadge(step.status)),
        el('td', { textContent: number(step.records) }),
        el('td', { textContent: took(step.durationMs) }),
        el('td', { className: 'error', textContent: step.error || '' }))));
    }
    const files = (await api('GET', '/api/runs/' + encodeURIComponent(id) + '/files')).files || [];
    if (changed('files', files)) {
      $('run-files').replaceChildren(...files.map((file) => {
        const name = String(file.name || file.path || file.id);
        const a = el('a', { href: '#', className: 'download', textContent: name });
        a.addEventListener('click', (e) => { e.preventDefault(); download(id, file.id, name.split('/').pop()); });
        return el('li', {}, a, ' ', el('span', { className: 'hint', textContent: number(file.rows) + ' rows, ' + number(file.bytes) + ' bytes' }));
      }));
    }
    await drawLog(id);
  }

  async function drawLog(id) {
    const asked = log;
    const answer = await api('GET', '/api/runs/' + encodeURIComponent(id) + '/logs?after=' + asked.after + '&limit=500&level=' + asked.level);
    // the level or the run changed while this was asked: its lines belong to a log no longer shown
    if (log !== asked) return;
    const pre = $('run-log');
    for (const line of answer.logs) {
      pre.append(el('span', { className: 'log-' + line.level,
        textContent: [new Date(line.ts).toLocaleTimeString(), line.level, line.step ? '[' + line.step + ']' : '', line.message]
          .filter(String).join(' ') + '\n' }));
    }
    log.after = answer.after;
    if (answer.logs.length && $('log-follow').checked) pre.scrollTop = pre.scrollHeight;
  }

  // a link cannot carry the bearer token: fetch the file, then hand the browser a blob to save
  async function download(runId, fileId, name) {
    const response = await fetch('/api/runs/' + encodeURIComponent(runId) + '/files/' + encodeURIComponent(fileId),
      { headers: { 'Authorization': 'Bearer ' + token() } });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      showLogin('The API refused this token (401) while downloading: paste the token again.');
      return;
    }
    if (!response.ok) { $('run-action').textContent = 'download failed: ' + response.status; return; }
    const url = URL.createObjectURL(await response.blob());
    const a = el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // a job's steps, to run one of them alone (its own run)
  function drawStepChoice(prefix, pipeline, live) {
    const found = pipelines.find((p) => p.name === pipeline);
    const steps = (found && found.steps) || [];
    $(prefix + '-one-step').hidden = steps.length === 0 || live;
    const select = $(prefix + '-step');
    if (select.options.length !== steps.length || steps.some((s, i) => select.options[i].value !== s)) {
      select.replaceChildren(...steps.map((s) => el('option', { value: s, textContent: s })));
    }
  }

  async function start(pipeline, request, status) {
    status.textContent = 'starting…';
    try {
      const started = await api('POST', '/api/runs', Object.assign({ pipeline }, request));
      status.textContent = 'started run ' + started.id;
      go('#/runs/' + started.id);
    } catch (e) {
      status.textContent = e.message === '401' ? '' : e.message;
    }
  }

  // ---------------------------------------------------------------- pipelines

  async function loadPipelines() {
    pipelines = (await api('GET', '/api/pipelines')).pipelines;
    return pipelines;
  }

  // paused over the API, or its route suspended or stopped (JMX): either way no run starts here
  function active(p) { return p.routeStatus === 'Started' && !p.paused; }

  function stateWord(p) {
    if (active(p)) return 'active';
    return p.paused ? 'paused' : 'route ' + String(p.routeStatus || 'gone').toLowerCase();
  }

  async function drawPipelines() {
    const list = await loadPipelines();
    if (!changed('pipelines', list)) return;
    $('pipelines-table').tBodies[0].replaceChildren(...list.map((p) => el('tr', {},
      el('td', {}, link(pipelineHref(p.name), p.name)),
      el('td', { className: 'status status-' + (active(p) ? 'completed' : 'cancelled'), textContent: stateWord(p) }),
      el('td', { textContent: p.cron || 'on demand' }),
      el('td', { className: 'time', textContent: p.nextFireTime ? relative(p.nextFireTime) : '', title: local(p.nextFireTime) }),
      el('td', { textContent: p.breaker || '' }),
      el('td', {}, p.lastRun ? link('#/runs/' + p.lastRun.id, p.lastRun.id) : '', p.lastRun ? ' ' : '',
        p.lastRun ? statusBadge(p.lastRun.status) : '', p.lastRun ? ' ' + relative(p.lastRun.createdAt) : 'never run'))));
  }

  async function drawPipeline() {
    const name = route.name;
    const p = (await loadPipelines()).find((x) => x.name === name);
    if (!p) {
      $('pipeline-name').textContent = name;
      $('pipeline-action').textContent = 'There is no pipeline ' + name + ' on this instance.';
      return;
    }
    if (changed('pipeline', p)) {
      $('pipeline-name').textContent = p.name;
      $('pipeline-state').textContent = stateWord(p);
      $('pipeline-state').className = 'status status-' + (active(p) ? 'completed' : 'cancelled');
      $('pipeline-kind').textContent = p.kind;
      $('pipeline-cron').textContent = p.cron || 'none: it runs on demand';
      $('pipeline-next').textContent = p.nextFireTime ? local(p.nextFireTime) + ' (' + relative(p.nextFireTime) + ')' : '';
      $('pipeline-breaker').textContent = p.breaker || 'none';
      $('pipeline-pause').hidden = !active(p);
      $('pipeline-resume').hidden = !p.paused;
      $('pipeline-run').disabled = !active(p);
      $('pipeline-runs-link').href = '#/runs?pipeline=' + encodeURIComponent(p.name);
      drawStepChoice('pipeline', p.name, !active(p));
      drawSettingInputs(p);
      // an incremental export: its watermark, a backfill window, a reset
      const w = p.watermark;
      document.querySelectorAll('.incremental').forEach((e) => { e.hidden = !w; });
      if (w) {
        $('pipeline-watermark').textContent = w.value === null ? 'none yet: the next run starts from incrementalStart, or reads everything'
          : w.value + ' (set by ' + (w.runId ? 'run ' + w.runId : w.setBy) + ', ' + relative(w.updatedAt) + ')';
        $('backfill-start').disabled = !active(p);
      }
    }
    const runs = (await api('GET', '/api/runs?limit=100&pipeline=' + encodeURIComponent(name))).runs.slice().reverse();
    if (!changed('chart', runs)) return;
    $('chart-count').textContent = runs.length;
    $('chart-records-caption').textContent = p.kind === 'export' ? 'Rows each run wrote' : p.kind === 'crawl' ? 'Nodes each run wrote'
      : p.kind === 'job' ? 'Records of its steps, per run' : 'Records each run wrote';
    chart($('chart-duration'), runs, (r) => r.durationMs, (r) => took(r.durationMs));
    chart($('chart-records'), runs, (r) => r.records, (r) => number(r.records));
  }

  // one bar per run, oldest left, coloured by status, each a link to its run
  function chart(box, runs, value, label) {
    const NS = 'http://www.w3.org/2000/svg';
    const width = Math.max(runs.length, 20) * 10;
    const top = Math.max(1, ...runs.map((r) => Number(value(r)) || 0));
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' 100');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    runs.forEach((run, i) => {
      const a = document.createElementNS(NS, 'a');
      a.setAttribute('href', '#/runs/' + run.id);
      const height = Math.max(1, 98 * (Number(value(run)) || 0) / top);
      const rect = document.createElementNS(NS, 'rect');
      rect.setAttribute('x', i * 10 + 1);
      rect.setAttribute('y', 100 - height);
      rect.setAttribute('width', 8);
      rect.setAttribute('height', height);
      rect.setAttribute('class', 'status-' + run.status);
      rect.dataset.run = run.id;
      const title = document.createElementNS(NS, 'title');
      title.textContent = 'run ' + run.id + ', ' + run.status + ', ' + label(run) + ', ' + local(run.createdAt);
      rect.appendChild(title);
      a.appendChild(rect);
      svg.appendChild(a);
    });
    box.replaceChildren(svg);
  }

  // the settings a start may override (an export's overridable): an input each, kept while the list is the same
  let settingNames = '';
  function drawSettingInputs(p) {
    const names = (p.params || []).filter((name) => !['from', 'to', 'retryFailed'].includes(name));
    $('pipeline-settings').hidden = names.length === 0;
    if (JSON.stringify(names) === settingNames) return;
    settingNames = JSON.stringify(names);
    $('pipeline-setting-inputs').replaceChildren(...names.map((name) => {
      const input = el('input', { size: 12, placeholder: 'as configured' });
      input.dataset.param = name;
      return el('label', {}, name + ' ', input);
    }));
  }

  // a run with its own settings is a backfill too: it moves no watermark
  function startWithSettings() {
    const params = {};
    document.querySelectorAll('#pipeline-setting-inputs input').forEach((input) => {
      if (input.value.trim()) params[input.dataset.param] = input.value.trim();
    });
    start(route.name, { params }, $('pipeline-action'));
  }

  // a backfill reads its window and moves no watermark; an empty "to" reads to the API's end
  function startBackfill() {
    const params = { from: $('backfill-from').value.trim() };
    if ($('backfill-to').value.trim()) params.to = $('backfill-to').value.trim();
    start(route.name, { params }, $('pipeline-action'));
  }

  async function setWatermark() {
    const status = $('pipeline-action');
    const value = $('watermark-value').value.trim();
    try {
      const answer = await api('POST', '/api/pipelines/' + encodeURIComponent(route.name) + '/watermark', { value: value || null });
      status.textContent = answer.watermark.value === null ? 'watermark forgotten: the next run starts from incrementalStart, or reads everything'
        : 'watermark set to ' + answer.watermark.value + ': the next run reads from it';
      await refresh();
    } catch (e) {
      status.textContent = e.message === '401' ? '' : e.message;
    }
  }

  async function setPaused(pause) {
    const status = $('pipeline-action');
    try {
      const answer = await api('POST', '/api/pipelines/' + encodeURIComponent(route.name) + (pause ? '/pause' : '/resume'));
      status.textContent = answer.paused ? 'paused: no run starts here until it is resumed (a run in flight goes on)' : 'resumed';
      await refresh();
    } catch (e) {
      status.textContent = e.message === '401' ? '' : e.message;
    }
  }

  // ---------------------------------------------------------------- instances

  async function drawInstances() {
    const instances = (await api('GET', '/api/instances')).instances;
    if (!changed('instances', instances)) return;
    $('instances-table').tBodies[0].replaceChildren(...instances.map((i) => el('tr', {},
      el('td', { textContent: i.id + (i.self ? ' (this one)' : '') }),
      el('td', { textContent: i.host || '' }),
      timeCell(i.startedAt),
      timeCell(i.lastBeat),
      el('td', { className: 'status ' + (i.alive ? 'status-completed' : 'status-failed'), textContent: i.alive ? 'yes' : 'no' }),
      el('td', { textContent: i.liveRuns }))));
  }

  // ---------------------------------------------------------------- login and wiring

  function showLogin(message) {
    $('app').hidden = true;
    $('nav').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').focus();
  }

  async function showApp() {
    try {
      await loadPipelines();
    } catch (e) {
      if (e.message !== '401') showLogin('The API did not answer: ' + e.message);
      return;
    }
    $('login').hidden = true;
    $('login-error').textContent = '';
    $('app').hidden = false;
    $('nav').hidden = false;
    await render();
  }

  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('token').value.trim();
    if (!value) { $('login-error').textContent = 'Paste the API token first.'; return; }
    sessionStorage.setItem(KEY, value);
    $('token').value = '';
    showApp();
  });
  $('forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); showLogin('The token is forgotten in this tab.'); });
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); go(filtersHash(0)); });
  $('filter-clear').addEventListener('click', () => go('#/runs'));
  $('page-prev').addEventListener('click', () => {
    const limit = Number(route.params.get('limit')) || PAGE;
    go(filtersHash(Math.max(0, (Number(route.params.get('offset')) || 0) - limit)));
  });
  $('page-next').addEventListener('click', () => {
    const limit = Number(route.params.get('limit')) || PAGE;
    go(filtersHash((Number(route.params.get('offset')) || 0) + limit));
  });
  $('run-cancel').addEventListener('click', async () => {
    try {
      const answer = await api('POST', '/api/runs/' + encodeURIComponent(route.id) + '/cancel');
      $('run-action').textContent = answer.status === 'cancelling' ? 'its instance cancels it at its next heartbeat' : 'cancelled';
      await refresh();
    } catch (e) { $('run-action').textContent = e.message === '401' ? '' : e.message; }
  });
  $('run-rerun').addEventListener('click', () => start($('run-pipeline').textContent, {}, $('run-action')));
  $('run-retry').addEventListener('click', () => start($('run-pipeline').textContent, { params: { retryFailed: true } }, $('run-action')));
  $('run-step-start').addEventListener('click', () => start($('run-pipeline').textContent,
    { mode: 'single', step: $('run-step').value }, $('run-action')));
  $('pipeline-run').addEventListener('click', () => start(route.name, {}, $('pipeline-action')));
  $('pipeline-step-start').addEventListener('click', () => start(route.name, { mode: 'single', step: $('pipeline-step').value },
    $('pipeline-action')));
  $('pipeline-pause').addEventListener('click', () => setPaused(true));
  $('backfill-start').addEventListener('click', startBackfill);
  $('settings-start').addEventListener('click', startWithSettings);
  $('watermark-set').addEventListener('click', setWatermark);
  $('pipeline-resume').addEventListener('click', () => setPaused(false));
  $('log-level').addEventListener('change', () => { resetLog(route.id); refresh(); });
  window.addEventListener('hashchange', render);

  setInterval(refresh, 2000);
  setInterval(() => { if (token()) loadPipelines().catch(() => {}); }, 15000);
  if (token()) showApp(); else showLogin();
})();
