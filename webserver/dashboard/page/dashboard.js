// The dashboard page: polls GET /dashboard/api/summary every 2 s and draws it. Every node is built
// with textContent (never innerHTML): the data holds callback URLs and error texts of any client.
'use strict';

const POLL_MS = 2000;
const TOKEN_KEY = 'timer-dashboard-token';
const $ = (id) => document.getElementById(id);

/** el('td', {className: 'num'}, 'text', childNode, ...) */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}
const fill = (node, ...children) => node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const token = () => sessionStorage.getItem(TOKEN_KEY);

async function api(path) {
  const headers = token() ? { authorization: `Bearer ${token()}` } : {};
  const res = await fetch(path, { headers, cache: 'no-store' });
  const body = await res.json().catch(() => null);
  return { status: res.status, body };
}

// ---- drawing ----

function counts(node, byState) {
  if (byState === null) return fill(node, el('p', { className: 'note' }, 'too many to count'));
  fill(node, ...Object.entries(byState).map(([state, n]) => el('div', { className: `count ${state}`, title: state }, el('span', { className: 'n' }, n), el('span', { className: 'label' }, state))));
}

function rows(table, items, cells) {
  fill(table.tBodies[0], ...items.map((item) => el('tr', {}, ...cells(item))));
}

function idButton(id) {
  const button = el('button', { type: 'button', className: 'id', title: 'show its details' }, id);
  button.addEventListener('click', () => {
    $('search-id').value = id;
    void search(id);
  });
  return button;
}

function attemptList(history) {
  if (!history || history.length === 0) return null;
  return el(
    'ol',
    { className: 'attempts' },
    ...history.map((a) =>
      el(
        'li',
        { className: 'attempt' },
        `attempt ${a.attempt}${a.series > 1 ? ` (replay ${a.series - 1})` : ''}: ${a.status ?? 'no answer'}`,
        a.error ? ` ${a.error}` : '',
        ` ${a.duration_ms} ms, ${time(a.started_at)}`,
      ),
    ),
  );
}

function timerTable(items) {
  if (items.length === 0) return el('p', { className: 'note' }, 'none');
  return el(
    'table',
    { className: 'timers' },
    el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'state'), el('th', {}, 'attempts'), el('th', {}, 'url'), el('th', {}, 'fire at'))),
    el(
      'tbody',
      {},
      ...items.map((t) =>
        el(
          'tr',
          { className: `timer ${t.state}` },
          el('td', {}, idButton(t.id)),
          el('td', {}, t.state),
          el('td', {}, `${t.attempts}/${t.max_attempts}`, attemptList(t.attempt_history)),
          el('td', {}, t.url),
          el('td', {}, time(t.fire_at)),
        ),
      ),
    ),
  );
}

function taskTable(items) {
  if (items.length === 0) return el('p', { className: 'note' }, 'none');
  return el(
    'table',
    { className: 'tasks' },
    el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'type'), el('th', {}, 'state'), el('th', {}, 'attempts'), el('th', {}, 'error'), el('th', {}, 'created'))),
    el(
      'tbody',
      {},
      ...items.map((t) =>
        el(
          'tr',
          { className: `task ${t.state}` },
          el('td', {}, idButton(t.id)),
          el('td', {}, t.type),
          el('td', {}, t.state),
          el('td', {}, `${t.attempts}/${t.max_attempts}`),
          el('td', {}, t.error ?? ''),
          el('td', {}, time(t.created_at)),
        ),
      ),
    ),
  );
}

function scheduleTable(items) {
  if (items.length === 0) return el('p', { className: 'note' }, 'none');
  const last = (r) => (r ? `${r.state}${r.last_status === null ? '' : ` (${r.last_status})`} ${r.instant ? time(r.instant) : ''}` : 'not run yet');
  return el(
    'table',
    { className: 'schedules' },
    el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'name'), el('th', {}, 'cadence'), el('th', {}, 'state'), el('th', {}, 'next instant'), el('th', {}, 'last run'))),
    el(
      'tbody',
      {},
      ...items.map((s) =>
        el(
          'tr',
          { className: `schedule ${s.state}` },
          el('td', {}, s.id),
          el('td', {}, s.name ?? ''),
          el('td', {}, `${s.cadence} (${s.timezone})`),
          el('td', {}, s.state),
          el('td', {}, s.next_instant ? time(s.next_instant) : ''),
          el('td', {}, last(s.last_run)),
        ),
      ),
    ),
  );
}

const bound = (le, previous) => (le === '+Inf' ? `> ${previous ?? 0} s` : Number(le) < 1 ? `≤ ${Math.round(Number(le) * 10000) / 10} ms` : `≤ ${le} s`);

function histogram(buckets) {
  // The buckets are cumulative: each bar is its bucket's own share.
  const bars = buckets.map((b, i) => ({ label: bound(b.le, buckets[i - 1]?.le), n: b.count - (i > 0 ? buckets[i - 1].count : 0) }));
  const max = Math.max(1, ...bars.map((b) => b.n));
  fill(
    $('lateness'),
    ...bars.map((b) => {
      const bar = el('div', { className: 'bar', title: `${b.label}: ${b.n}` });
      bar.style.height = `${(100 * b.n) / max}%`;
      return bar;
    }),
  );
  fill($('lateness-labels'), ...bars.map((b) => el('span', { title: `${b.label}: ${b.n}` }, b.label)));
  return buckets.length > 0 ? buckets[buckets.length - 1].count : 0;
}

// Dead letters are defects, not load: a banner above everything, naming each queue that holds some.
function deadLetterBanner(dead) {
  const banner = $('dead-letters');
  banner.hidden = dead.messages === 0;
  const where = dead.queues
    .filter((q) => q.messages > 0)
    .map((q) => `${q.name}: ${q.messages}`)
    .join(', ');
  banner.textContent = `${dead.messages} dead letter${dead.messages === 1 ? '' : 's'} (${where}): messages that could not be processed; read their x-dead-reason in the RabbitMQ management UI`;
}

function draw(s) {
  counts($('timer-counts'), s.counts.timers);
  counts($('task-counts'), s.counts.tasks);
  deadLetterBanner(s.dead_letters);
  rows($('queues'), s.queues, (q) => [el('td', {}, q.name), el('td', { className: 'num' }, q.messages ?? 'missing'), el('td', { className: 'num' }, q.consumers ?? '')]);
  rows($('processes'), s.processes.by_type, (p) => [el('td', {}, p.type), el('td', { className: `num ${p.alive > 0 ? 'alive' : 'none'}` }, p.alive), el('td', { className: 'num' }, p.gone)]);
  $('processes-note').textContent = `alive: a heartbeat within the last ${s.processes.alive_after_ms / 1000} s`;
  const total = histogram(s.lateness.buckets);
  $('lateness-label').textContent = `${s.lateness.label}: ${total}`;
  fill($('failed-timers'), timerTable(s.timers.failed));
  fill($('recent-timers'), timerTable(s.timers.recent));
  fill($('failed-tasks'), taskTable(s.tasks.failed));
  fill($('recent-tasks'), taskTable(s.tasks.recent));
  $('schedule-counts').textContent = `${s.schedules.counts.active} active, ${s.schedules.counts.paused} paused`;
  fill($('schedules'), scheduleTable(s.schedules.recent));
  $('rabbitmq-link').href = s.rabbitmq_management_url;
}

function details(record) {
  const dl = el('dl', {});
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attempt_history') continue;
    dl.append(el('dt', {}, key), el('dd', {}, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '')));
  }
  return dl;
}

async function search(id) {
  const out = $('search-result');
  fill(out, el('p', { className: 'note' }, 'looking ...'));
  try {
    const { status, body } = await api(`/dashboard/api/search?id=${encodeURIComponent(id.trim())}`);
    if (status !== 200) return fill(out, el('p', { className: 'error' }, body?.message ?? `error ${status}`));
    const record = body.kind === 'timer' ? body.timer : body.task;
    fill(
      out,
      el('h3', {}, `${body.kind} ${record.id}`),
      details(record),
      body.kind === 'timer' ? el('h4', {}, 'attempts') : null,
      body.kind === 'timer' ? (attemptList(record.attempt_history) ?? el('p', { className: 'note' }, 'no attempt yet')) : null,
    );
  } catch {
    fill(out, el('p', { className: 'error' }, 'cannot reach the service'));
  }
}

// ---- polling, status and login ----

function setStatus(text, failing) {
  $('status').textContent = text;
  $('status').classList.toggle('error', failing);
}

function showLogin(message) {
  $('board').hidden = true;
  $('login').hidden = false;
  $('logout').hidden = true;
  $('login-error').textContent = message || '';
  setStatus('log in to see the dashboard', false);
}

let timer = null;
async function poll() {
  clearTimeout(timer);
  try {
    const { status, body } = await api('/dashboard/api/summary');
    if (status === 401 || status === 403) {
      if (status === 403 || token()) sessionStorage.removeItem(TOKEN_KEY);
      return showLogin(status === 403 ? 'that account is not an admin' : '');
    }
    if (status !== 200) throw new Error(body?.dependency ? `the ${body.dependency} is unavailable` : `answer ${status}`);
    draw(body);
    $('board').hidden = false;
    $('login').hidden = true;
    $('logout').hidden = !token();
    setStatus(`last updated ${new Date(body.generated_at).toLocaleTimeString()}`, false);
  } catch (err) {
    setStatus(`cannot reach the service (${err instanceof TypeError ? 'no answer' : err.message}); retrying every ${POLL_MS / 1000} s`, true);
  }
  timer = setTimeout(poll, POLL_MS);
}

document.addEventListener('DOMContentLoaded', () => {
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void search($('search-id').value);
  });
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const res = await fetch('/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: $('login-email').value, password: $('login-password').value }),
      });
      const body = await res.json().catch(() => null);
      if (res.status !== 200) return void ($('login-error').textContent = body?.message ?? `error ${res.status}`);
      sessionStorage.setItem(TOKEN_KEY, body.access_token);
      void poll();
    } catch {
      $('login-error').textContent = 'cannot reach the service';
    }
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('');
  });
  void poll();
});
