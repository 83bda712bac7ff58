// The task types section: every task type of the configuration and whether it is paused (its tasks are
// held instead of running), read from GET /tasks/types with the admin's token and paused or resumed
// through POST /tasks/types/{type}/pause and /resume.
import { $, el, fill, none, table, time } from './dashboard-dom.js';
import { read, refusal, token } from './dashboard-api.js';
import { actionButton, perform } from './dashboard-actions.js';
import { pauseBody } from './dashboard-flow.js';

const typeState = (t) => (t.paused ? `paused ${t.paused_until ? `until ${time(t.paused_until)}` : 'until resumed'}` : 'running');

function typeActions(t) {
  const path = `/tasks/types/${encodeURIComponent(t.type)}`;
  if (t.paused) return [actionButton('resume', 'run its held tasks', () => perform(`resume task type ${t.type}`, 'POST', `${path}/resume`, undefined, typeState))];
  return [actionButton('pause', 'hold its tasks instead of running them', () => perform(`pause task type ${t.type}`, 'POST', `${path}/pause`, pauseBody(), typeState))];
}

function typeTable(types) {
  if (types.length === 0) return none();
  return table(
    'task-types',
    ['type', 'state', ''],
    types,
    (t) => `task-type${t.paused ? ' paused' : ''}`,
    (t) => [el('td', {}, t.type), el('td', { className: 'state' }, typeState(t)), el('td', { className: 'actions' }, ...typeActions(t))],
  );
}

export async function drawTaskTypes() {
  if (token() === null) return fill($('task-types'), el('p', { className: 'note' }, 'enter an admin token above to see the task types and pause or resume them'));
  const { status, body } = await read('/tasks/types');
  fill($('task-types'), status === 200 ? typeTable(body.types) : el('p', { className: 'error' }, `task types: ${refusal(status, body)}`));
}
