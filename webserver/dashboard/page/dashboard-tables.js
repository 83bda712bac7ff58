// The tables of timers, tasks, schedules and a timer's callbacks, each row with the actions its state
// allows, and a timer's attempts with the answer each kept. A click on an id shows the whole record (the
// page's search).
import { el, none, table, time } from './dashboard-dom.js';
import { scheduleActions, taskActions, timerActions } from './dashboard-actions.js';

let showRecord = () => {};
/** What a click on an id does. */
export const setShowRecord = (fn) => void (showRecord = fn);

export function idButton(id) {
  const button = el('button', { type: 'button', className: 'id', title: 'show its details' }, id);
  button.addEventListener('click', () => showRecord(id));
  return button;
}

/**
 * The receiver's answer an attempt kept: its status, headers and the first bytes of its body, folded
 * unless `open`. A body that is not UTF-8 text is kept as base64 and shown so, labelled; a cut one says so.
 */
function responseView(r, open) {
  const size = `${r.body_bytes} byte${r.body_bytes === 1 ? '' : 's'}`;
  const headers = Object.entries(r.headers);
  return el(
    'details',
    { className: 'response', open },
    el('summary', {}, `answer ${r.status}, ${size}${r.body_truncated ? ', truncated' : ''}`),
    headers.length > 0 ? el('dl', { className: 'response-headers' }, ...headers.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])) : null,
    r.body_encoding === 'base64' ? el('p', { className: 'note body-encoding' }, 'body as base64 (not UTF-8 text):') : null,
    r.body_bytes > 0 ? el('pre', { className: 'response-body' }, r.body) : el('p', { className: 'note' }, 'no body'),
    r.body_truncated ? el('p', { className: 'note body-truncated' }, `truncated: the first bytes of ${size}`) : null,
  );
}

/** A timer's attempts, oldest first, each with the answer it kept (unfolded when `open`). */
export function attemptList(history, open = false) {
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
        a.response ? responseView(a.response, open) : null,
      ),
    ),
  );
}

/** The callbacks telling a timer's outcome: each is a timer of its own, opened by its id. */
export function callbackTable(items) {
  if (items.length === 0) return el('p', { className: 'note' }, 'no callback yet');
  return table(
    'callbacks',
    ['outcome', 'url', 'state', 'attempts', 'last status', 'id'],
    items,
    (c) => `callback ${c.state}`,
    (c) => [
      el('td', {}, c.outcome),
      el('td', {}, c.url),
      el('td', { className: 'state' }, c.state),
      el('td', {}, String(c.attempts), attemptList(c.attempt_history)),
      el('td', {}, c.last_status === null ? (c.last_error ?? '') : String(c.last_status)),
      el('td', {}, idButton(c.id)),
    ],
  );
}

const actions = (buttons) => el('td', { className: 'actions' }, ...buttons);

export function timerTable(items) {
  if (items.length === 0) return none();
  return table(
    'timers',
    ['id', 'state', 'attempts', 'url', 'fire at', ''],
    items,
    (t) => `timer ${t.state}`,
    (t) => [
      el('td', {}, idButton(t.id)),
      el('td', { className: 'state' }, t.state),
      el('td', {}, `${t.attempts}/${t.max_attempts}`, attemptList(t.attempt_history)),
      el('td', {}, t.url),
      el('td', {}, time(t.fire_at)),
      actions(timerActions(t)),
    ],
  );
}

export function taskTable(items) {
  if (items.length === 0) return none();
  return table(
    'tasks',
    ['id', 'type', 'state', 'attempts', 'error', 'created', ''],
    items,
    (t) => `task ${t.state}`,
    (t) => [
      el('td', {}, idButton(t.id)),
      el('td', {}, t.type),
      el('td', { className: 'state' }, t.state),
      el('td', {}, `${t.attempts}/${t.max_attempts}`),
      el('td', {}, t.error ?? ''),
      el('td', {}, time(t.created_at)),
      actions(taskActions(t)),
    ],
  );
}

export function scheduleTable(items) {
  if (items.length === 0) return none();
  const last = (r) => (r ? `${r.state}${r.last_status === null ? '' : ` (${r.last_status})`} ${r.instant ? time(r.instant) : ''}` : 'not run yet');
  return table(
    'schedules',
    ['id', 'name', 'cadence', 'state', 'next instant', 'last run', ''],
    items,
    (s) => `schedule ${s.state}`,
    (s) => [
      el('td', {}, s.id),
      el('td', {}, s.name ?? ''),
      el('td', {}, `${s.cadence} (${s.timezone})`),
      el('td', { className: 'state' }, s.state),
      el('td', {}, s.next_instant ? time(s.next_instant) : ''),
      el('td', {}, last(s.last_run)),
      actions(scheduleActions(s)),
    ],
  );
}
