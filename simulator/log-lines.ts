// Random access-log lines for the client simulator: mostly IPv4, some IPv6; every standard method;
// origin-form paths with and without a query, some absolute URLs; common status codes.
import { HTTP_METHODS } from '../common/messages/access-log-line.js';

const PATHS = ['/', '/index.html', '/api/users', '/api/orders', '/static/app.js', '/login', '/search', '/img/logo.png'];
const STATUSES = [200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 404, 418, 429, 500, 502, 503];

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const byte = (random: () => number) => Math.floor(random() * 256);

function randomIp(random: () => number): string {
  if (random() < 0.8) return [byte(random), byte(random), byte(random), byte(random)].join('.');
  const groups = Array.from({ length: 8 }, () => Math.floor(random() * 65_536).toString(16));
  return groups.join(':');
}

function randomUri(random: () => number): string {
  const path = pick(PATHS, random);
  const query = random() < 0.4 ? `?q=${Math.floor(random() * 1e6)}&page=${1 + Math.floor(random() * 20)}` : '';
  return random() < 0.1 ? `https://shop.example.com${path}${query}` : `${path}${query}`;
}

/** One line '<IP> <METHOD> <URI> <STATUS>' that the API accepts. */
export function randomLogLine(random: () => number = Math.random): string {
  return `${randomIp(random)} ${pick(HTTP_METHODS, random)} ${randomUri(random)} ${pick(STATUSES, random)}`;
}
