// The dashboard page: polls GET /dashboard/api/summary every 2 s and draws it; with an admin's token it
// also reads the flow-control keys, all deliveries and the task types, and acts through the public API
// (dashboard-actions.js, dashboard-flow.js, dashboard-task-types.js). Every node is built with
// textContent (never innerHTML).
import { $, el, fill } from './dashboard-dom.js';
import { forgetToken, keepToken, read, refusal, token } from './dashboard-api.js';
import { setAfterAction, taskActions, timerActions, wireBulkReplay } from './dashboard-actions.js';
import { attemptList, callbackTable, idButton, scheduleTable, setShowRecord, taskTable, timerTable } from './dashboard-tables.js';
import { drawFlowControl, wireDeliveries } from './dashboard-flow.js';
import { drawTaskTypes } from './dashboard-task-types.js';

const POLL_MS = 2000;

// ---- drawing ----

function counts(node, byState) {
  if (byState === null) return fill(node, el('p', { className: 'note' }, 'too many to count'));
  fill(node, ...Object.entries(byState).map(([state, n]) => el('div', { className: `count ${state}`, title: state }, el('span', { className: 'n' }, n), el('span', { className: 'label' }, state))));
}

function rows(table, items, cells) {
  fill(table.tBodies[0], ...items.map((item) => el('tr', {}, ...cells(item))));
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

let summary = null;

function draw(s) {
  summary = s;
  counts($('timer-counts'), s.counts.timers);
  counts($('task-counts'), s.counts.tasks);
  $('counts-note').textContent = `pending timers and tasks: all of them; finished ones: those created since ${new Date(s.counts.finished_since).toLocaleString()} (the last hour)`;
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

// Shown below the record's fields, each in its own part.
const LISTED_BELOW = new Set(['attempt_history', 'callbacks']);

function details(record) {
  const dl = el('dl', {});
  for (const [key, value] of Object.entries(record)) {
    if (LISTED_BELOW.has(key)) continue;
    // A callback names the timer whose outcome it tells: a click shows that timer.
    const shown =
      key === 'callback_of' && value !== null
        ? el('span', {}, `the ${value.outcome} outcome of `, idButton(value.id))
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value ?? '');
    dl.append(el('dt', {}, key), el('dd', {}, shown));
  }
  return dl;
}

// Where a record's outcome is told: a timer's callback_url and failure_callback_url, a task's result_url too.
const OUTCOME_URLS = ['callback_url', 'failure_callback_url', 'result_url'];

/** The callbacks telling a record's outcome, when it names where its outcome is told or has some. */
function callbacksPart(record) {
  const callbacks = Array.isArray(record.callbacks) ? record.callbacks : [];
  if (callbacks.length === 0 && !OUTCOME_URLS.some((key) => typeof record[key] === 'string')) return [];
  return [el('h4', {}, 'callbacks'), callbackTable(callbacks)];
}

// The record the search shows, redrawn after an action so that it shows the change.
let shownId = null;

async function search(id) {
  const out = $('search-result');
  shownId = id.trim();
  fill(out, el('p', { className: 'note' }, 'looking ...'));
  try {
    const { status, body } = await read(`/dashboard/api/search?id=${encodeURIComponent(shownId)}`);
    if (status !== 200) return fill(out, el('p', { className: 'error' }, body?.message ?? `error ${status}`));
    const timer = body.kind === 'timer';
    const record = timer ? body.timer : body.task;
    const buttons = timer ? timerActions(record) : taskActions(record);
    fill(
      out,
      el('h3', {}, `${body.kind} ${record.id}`),
      buttons.length > 0 ? el('p', { className: 'actions' }, ...buttons) : null,
      details(record),
      timer ? el('h4', {}, 'attempts') : null,
      timer ? (attemptList(record.attempt_history, true) ?? el('p', { className: 'note' }, 'no attempt yet')) : null,
      ...callbacksPart(record),
    );
  } catch {
    fill(out, el('p', { className: 'error' }, 'cannot reach the service'));
  }
}

function showRecord(id) {
  $('search-id').value = id;
  void search(id);
}

// ---- polling, status, the token and login ----

function setStatus(text, failing) {
  $('status').textContent = text;
  $('status').classList.toggle('error', failing);
}

function showTokenState(message) {
  $('token-form').hidden = token() !== null;
  $('logout').hidden = token() === null;
  $('token-error').textContent = message;
}

function showLogin(message) {
  $('board').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  showTokenState(message);
  setStatus('log in to see the dashboard', false);
}

let timer = null;
let polls = 0;
// Why the last token was dropped, shown by the login form or beside the token field.
let refused = '';

async function poll() {
  const seq = ++polls;
  try {
    const { status, body } = await read('/dashboard/api/summary');
    if (seq !== polls) return; // a newer poll (after an action) draws instead
    if (status === 401 || status === 403) {
      if (token() === null) return showLogin(refused);
      // A refused token is dropped; the next read goes without it (an open dashboard) or shows the login.
      forgetToken();
      refused = status === 403 ? 'that account is not an admin' : `the token was refused: ${refusal(status, body)}`;
      return void poll();
    }
    if (status !== 200) throw new Error(body?.dependency ? `the ${body.dependency} is unavailable` : `answer ${status}`);
    draw(body);
    $('board').hidden = false;
    $('login').hidden = true;
    showTokenState(token() === null ? refused : '');
    setStatus(`last updated ${new Date(body.generated_at).toLocaleTimeString()}`, false);
    await adminViews();
  } catch (err) {
    setStatus(`cannot reach the service (${err instanceof TypeError ? 'no answer' : err.message}); retrying every ${POLL_MS / 1000} s`, true);
  }
  if (seq !== polls) return;
  clearTimeout(timer);
  timer = setTimeout(poll, POLL_MS);
}

/** What only an admin reads, from the public API: the flow-control keys, all deliveries, the task types. */
async function adminViews() {
  const failed = (node) => () => fill(node, el('p', { className: 'error' }, 'cannot reach the service'));
  await Promise.all([drawFlowControl().catch(failed($('flow-keys'))), drawTaskTypes().catch(failed($('task-types')))]);
}

function useToken(value) {
  keepToken(value);
  refused = '';
  void poll();
}

document.addEventListener('DOMContentLoaded', () => {
  setShowRecord(showRecord);
  setAfterAction(() => {
    void poll();
    if (shownId) void search(shownId);
  });
  wireBulkReplay(() => (summary?.counts.timers ? summary.counts.timers.failed : null));
  wireDeliveries();
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void search($('search-id').value);
  });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('admin-token').value.trim();
    $('admin-token').value = '';
    if (value) useToken(value);
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
      useToken(body.access_token);
    } catch {
      $('login-error').textContent = 'cannot reach the service';
    }
  });
  $('logout').addEventListener('click', () => {
    forgetToken();
    void poll();
  });
  void poll();
});
