// The tables of timers, tasks and schedules, each row with the actions its state allows. A click on an
// id shows the whole record (the page's search).
import { el, none, table, time } from './dashboard-dom.js';
import { scheduleActions, taskActions, timerActions } from './dashboard-actions.js';

let showRecord = () => {};
/** What a click on an id does. */
export const setShowRecord = (fn) => void (showRecord = fn);

function idButton(id) {
  const button = el('button', { type: 'button', className: 'id', title: 'show its details' }, id);
  button.addEventListener('click', () => showRecord(id));
  return button;
}

export function attemptList(history) {
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
