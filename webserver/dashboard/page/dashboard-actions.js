// What an admin does from the page: replay or cancel a timer, retry a task, pause or resume a schedule,
// replay the failed timers. Each action is a call to the service's public API (the routes a client
// uses) with the admin's token; its outcome, what changed or the API's own error text, is shown in the
// result bar. A bulk action asks first, in the page: a second button says what will happen.
import { $, el, fill, time } from './dashboard-dom.js';
import { call, refusal, token } from './dashboard-api.js';

/** The most a bulk replay takes in one call (POST /timers/replay's limit). */
const MAX_BULK_REPLAY = 1000;
// A timer waiting for its (next) attempt, or held by its flow-control key: DELETE /timer/{id} cancels it.
const PENDING_TIMER_STATES = new Set(['scheduled', 'retrying', 'held']);

let afterAction = () => {};
/** What runs after every action: the page polls at once, so the tables show the change. */
export const setAfterAction = (fn) => void (afterAction = fn);

export function showResult(text, kind) {
  const bar = $('action-result');
  bar.hidden = false;
  bar.className = `action-result ${kind}`;
  bar.textContent = text;
}

/**
 * Calls the API; done(answer) says what changed, as text, or as { wrong: text } when the answer is not
 * about what was asked for. Resolves to whether the API agreed.
 */
export async function perform(what, method, path, body, done) {
  showResult(`${what} ...`, 'pending');
  let agreed = false;
  try {
    const { status, body: answer } = await call(method, path, body);
    agreed = status >= 200 && status < 300;
    const changed = agreed ? done(answer) : null;
    if (!agreed) showResult(`${what} refused (${status}): ${refusal(status, answer)}`, 'error');
    else if (typeof changed === 'string') showResult(`${what}: ${changed}`, 'ok');
    else showResult(`${what}: ${changed.wrong}`, 'error');
  } catch {
    showResult(`${what}: cannot reach the service`, 'error');
  }
  afterAction();
  return agreed;
}

/** A button that runs an action; disabled while it runs. */
export function actionButton(label, title, run) {
  const button = el('button', { type: 'button', className: 'action', title }, label);
  button.dataset.action = label;
  button.addEventListener('click', async () => {
    button.disabled = true;
    await run();
    button.disabled = false;
  });
  return button;
}

/**
 * A static button whose action must be confirmed: a click shows the question and a second button that
 * acts; "no" hides them again. question() is read at the click (it may name current figures).
 */
export function confirmFirst(button, question, yesLabel, run) {
  const ask = el('span', { className: 'confirm', hidden: true });
  button.after(ask);
  const close = () => {
    ask.hidden = true;
    button.hidden = false;
  };
  const yes = el('button', { type: 'button', className: 'action danger confirm-yes' }, yesLabel);
  const no = el('button', { type: 'button', className: 'action confirm-no' }, 'no');
  yes.addEventListener('click', async () => {
    close();
    await run();
  });
  no.addEventListener('click', close);
  button.addEventListener('click', () => {
    fill(ask, el('span', { className: 'question' }, question()), ' ', yes, ' ', no);
    button.hidden = true;
    ask.hidden = false;
  });
}

const timerPath = (id) => `/timer/${encodeURIComponent(id)}`;

/** The buttons of a timer: replay a failed one, cancel one that has not fired yet. */
export function timerActions(t) {
  if (t.state === 'failed') {
    return [
      actionButton('replay', 'deliver it again, with a new series of attempts', () =>
        perform(`replay timer ${t.id}`, 'POST', `${timerPath(t.id)}/replay`, undefined, (timer) => `now ${timer.state}, fires ${time(timer.fire_at)}`),
      ),
    ];
  }
  if (PENDING_TIMER_STATES.has(t.state)) {
    return [actionButton('cancel', 'it will not fire', () => perform(`cancel timer ${t.id}`, 'DELETE', timerPath(t.id), undefined, (timer) => `now ${timer.state}`))];
  }
  return [];
}

/** The buttons of a task: retry a failed one. */
export function taskActions(t) {
  if (t.state !== 'failed') return [];
  return [
    actionButton('retry', 'run it again from its first attempt', () =>
      perform(`retry task ${t.id}`, 'POST', `/tasks/${encodeURIComponent(t.id)}/retry`, undefined, (task) => `now ${task.state}, attempts ${task.attempts}/${task.max_attempts}`),
    ),
  ];
}

/** The buttons of a schedule: pause an active one, resume a paused one. */
export function scheduleActions(s) {
  const name = `schedule ${s.name ?? s.id}`;
  const path = `/schedules/${encodeURIComponent(s.id)}`;
  const next = (schedule) => (schedule.next_instants?.[0] ? `, next run ${time(schedule.next_instants[0].at)}` : '');
  if (s.state === 'active') return [actionButton('pause', 'no runs until resumed', () => perform(`pause ${name}`, 'POST', `${path}/pause`, undefined, (schedule) => `now ${schedule.state}`))];
  if (s.state === 'paused') {
    return [actionButton('resume', 'runs again from its next instant', () => perform(`resume ${name}`, 'POST', `${path}/resume`, undefined, (schedule) => `now ${schedule.state}${next(schedule)}`))];
  }
  return [];
}

/** "replay all failed timers", confirmed first: POST /timers/replay, the longest-failed first. */
export function wireBulkReplay(failedCount) {
  confirmFirst(
    $('replay-failed'),
    () =>
      `Replay the failed timers${failedCount() === null ? '' : ` (${failedCount()} failed among those created in the last hour)`} (at most ${MAX_BULK_REPLAY} in one go, the longest-failed first)?` +
      (token() === null ? ' Without an admin token, only the timers created without a token are replayed.' : ''),
    'yes, replay them',
    () => perform('replay failed timers', 'POST', '/timers/replay', { limit: MAX_BULK_REPLAY }, (answer) => `${answer.replayed} timer${answer.replayed === 1 ? '' : 's'} replayed`),
  );
}
