// The flow-control section: every owner's keys with their limits, deliveries in flight and timers
// waiting, and whether each is paused; all deliveries and the callback hosts their receivers paused.
// Read from the public API (GET /flow-control, GET /deliveries) with the admin's token, and acted on
// through it: pausing all deliveries is confirmed first.
import { $, el, fill, none, table, time } from './dashboard-dom.js';
import { read, refusal, token } from './dashboard-api.js';
import { actionButton, confirmFirst, perform } from './dashboard-actions.js';

/** The keys shown: the first page of GET /flow-control. */
const KEY_PAGE = 200;

/** A pause's body: until now + the minutes asked for, or none (until resumed). */
export function pauseBody() {
  const minutes = Number($('pause-minutes').value);
  return minutes > 0 ? { until: new Date(Date.now() + minutes * 60_000).toISOString() } : undefined;
}

const pausedText = (p) => (p.paused ? `paused ${p.paused_until ? `until ${time(p.paused_until)}` : 'until resumed'}${p.pause_reason ? ` (${p.pause_reason})` : ''}` : '');
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const keyState = (k) => `${k.paused ? pausedText(k) : 'running'}; ${k.in_flight} in flight, ${plural(k.waiting, 'timer')} waiting`;

/** An admin names the key's owner (`none`: an ownerless key). */
function keyPath(k, action) {
  return `/flow-control/${encodeURIComponent(k.key)}/${action}?owner_id=${encodeURIComponent(k.owner_id ?? 'none')}`;
}

/** The key's state after the action, or an error should the API have acted on a key of another owner. */
const keyOutcome = (k) => (answer) =>
  answer.owner_id === k.owner_id
    ? keyState(answer)
    : { wrong: `the API acted on the key ${answer.key} of owner ${answer.owner_id ?? 'none'}, not on this one of owner ${k.owner_id ?? 'none'}; ${keyState(answer)}` };

function keyActions(k) {
  const what = `key ${k.key}`;
  if (k.paused) return [actionButton('resume', 'deliver its waiting timers', () => perform(`resume ${what}`, 'POST', keyPath(k, 'resume'), undefined, keyOutcome(k)))];
  return [actionButton('pause', 'hold its timers until resumed (or the minutes above)', () => perform(`pause ${what}`, 'POST', keyPath(k, 'pause'), pauseBody(), keyOutcome(k)))];
}

function keyTable(keys) {
  if (keys.length === 0) return none();
  return table(
    'flow-keys',
    ['key', 'owner', 'rate', 'parallelism', 'in flight', 'waiting', 'paused', ''],
    keys,
    (k) => `flow-key${k.paused ? ' paused' : ''}`,
    (k) => [
      el('td', { className: 'key' }, k.key),
      el('td', { className: 'owner' }, k.owner_id ?? 'none'),
      el('td', {}, k.rate === null ? 'no limit' : `${k.rate} per ${k.period_s} s`),
      el('td', {}, k.parallelism === null ? 'no limit' : String(k.parallelism)),
      el('td', { className: 'num in-flight' }, k.in_flight),
      el('td', { className: 'num waiting' }, k.waiting),
      el('td', { className: 'pause' }, pausedText(k)),
      el('td', {}, ...keyActions(k)),
    ],
  );
}

function hostTable(hosts) {
  if (hosts.length === 0) return none();
  return table(
    'paused-hosts',
    ['host', 'paused', 'waiting'],
    hosts,
    () => 'paused-host',
    (h) => [el('td', {}, h.host), el('td', {}, pausedText({ ...h, paused: true })), el('td', { className: 'num' }, h.waiting)],
  );
}

const deliveriesState = (d) => (d.paused ? `all deliveries ${pausedText(d)}; ${plural(d.waiting, 'timer')} waiting` : `all deliveries running; ${plural(d.waiting, 'timer')} waiting`);

function drawDeliveries({ status, body }) {
  if (status !== 200) {
    fill($('paused-hosts'));
    return void ($('deliveries-state').textContent = `all deliveries: ${refusal(status, body)}`);
  }
  $('deliveries-state').textContent = deliveriesState(body);
  $('deliveries-state').classList.toggle('paused', body.paused);
  fill($('paused-hosts'), hostTable(body.paused_hosts));
}

/**
 * Reads and draws the section. Without a token there is nothing it may read; its buttons stay, and the
 * API answers them (pausing all deliveries is an admin's).
 */
export async function drawFlowControl() {
  if (token() === null) {
    fill($('flow-keys'), el('p', { className: 'note' }, 'enter an admin token above to see every owner\u2019s flow-control keys and pause or resume them'));
    fill($('paused-hosts'));
    $('flow-more').textContent = '';
    $('deliveries-state').textContent = 'all deliveries: an admin token is needed to read them';
    return;
  }
  const [keys, deliveries] = await Promise.all([read(`/flow-control?limit=${KEY_PAGE}`), read('/deliveries')]);
  if (keys.status === 200) {
    fill($('flow-keys'), keyTable(keys.body.keys));
    $('flow-more').textContent = keys.body.next_cursor ? `the first ${KEY_PAGE} keys (owner, then key); GET /flow-control pages through the rest` : '';
  } else {
    fill($('flow-keys'), el('p', { className: 'error' }, `flow-control keys: ${refusal(keys.status, keys.body)}`));
  }
  drawDeliveries(deliveries);
}

export function wireDeliveries() {
  confirmFirst(
    $('pause-deliveries'),
    () => `Pause every delivery of every owner${pauseBody() ? ` until ${time(pauseBody().until)}` : ' until resumed'}? Timers fall due and wait; none is sent.`,
    'yes, pause all deliveries',
    () => perform('pause all deliveries', 'POST', '/deliveries/pause', pauseBody(), deliveriesState),
  );
  $('resume-deliveries').addEventListener('click', () => void perform('resume all deliveries', 'POST', '/deliveries/resume', undefined, deliveriesState));
}
