// The load balancer's configuration as the local launcher writes it and as compose ships it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nginxConf } from './nginx-conf.js';
import { loadConfig } from '../common/process/config.js';

const DOCKER_CONF = readFileSync(fileURLToPath(new URL('../load-balancers/webserver/docker.conf', import.meta.url)), 'utf8');
const localConf = () => nginxConf({ port: 8080, webserverPorts: [8081, 8082], runDir: '/tmp/stack', randomUserPorts: [8180], randomUserPublicPort: 8001 });

/** The keepalive_timeout of every upstream block, in seconds. */
function upstreamKeepAlives(conf: string): number[] {
  return [...conf.matchAll(/upstream \w+ \{([^}]*)\}/g)].map((block) => Number(/keepalive_timeout (\d+)s;/.exec(block[1]!)?.[1]));
}

test.each([
  ['launcher/nginx-conf.ts', localConf()],
  ['load-balancers/webserver/docker.conf', DOCKER_CONF],
])('%s closes idle upstream connections before a server does (HTTP_KEEP_ALIVE_TIMEOUT_MS)', (_name, conf) => {
  const keepAlives = upstreamKeepAlives(conf);
  expect(keepAlives).toHaveLength(2);
  for (const seconds of keepAlives) expect(seconds * 1_000).toBeLessThan(loadConfig({}).HTTP_KEEP_ALIVE_TIMEOUT_MS);
});

test('the local stack reaches its webservers on the address they listen on (HTTP_HOST)', () => {
  const servers = [...localConf().matchAll(/server (\S+):(\d+) /g)].map((m) => `${m[1]}:${m[2]}`);
  expect(servers).toEqual(['127.0.0.1:8081', '127.0.0.1:8082', '127.0.0.1:8180']);
  expect(loadConfig({}).HTTP_HOST).toBe('127.0.0.1');
});

test("nginx passes the servers' own error answers through unchanged (no proxy_intercept_errors)", () => {
  const dir = fileURLToPath(new URL('../load-balancers/webserver/', import.meta.url));
  const shared = readdirSync(dir)
    .filter((name) => name.endsWith('.conf'))
    .map((name) => readFileSync(join(dir, name), 'utf8'));
  expect(shared.length).toBeGreaterThanOrEqual(5);
  for (const conf of [localConf(), ...shared]) expect(conf).not.toMatch(/proxy_intercept_errors\s+on/);
});

test('every error page nginx answers itself points to a JSON location of error-locations.conf', () => {
  const dir = fileURLToPath(new URL('../load-balancers/webserver/', import.meta.url));
  const locations = readFileSync(join(dir, 'error-locations.conf'), 'utf8');
  const targets = readdirSync(dir)
    .filter((name) => name.endsWith('.conf'))
    .flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/^\s*error_page [\d ]+= (\S+);/gm)].map((m) => m[1]!));
  expect(new Set(targets).size).toBeGreaterThanOrEqual(11);
  for (const target of targets) {
    const block = new RegExp(`location = ${target} \\{([^}]*)\\}`).exec(locations)?.[1];
    expect({ target, internal: block?.includes('internal;'), json: block?.includes('default_type application/json;') }).toEqual({ target, internal: true, json: true });
  }
});
