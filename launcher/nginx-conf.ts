// The nginx configuration of a local stack: the shared load-balancer behaviour
// (load-balancers/webserver/locations.conf) in front of the local webserver ports, with every path
// nginx writes to kept inside the stack's run directory so that it needs no system nginx set-up.
import { fileURLToPath } from 'node:url';

export const LOCATIONS_CONF = fileURLToPath(new URL('../load-balancers/webserver/locations.conf', import.meta.url));
// nginx's own error answers in JSON: the error_page lines, and the internal locations they point to.
export const ERROR_PAGES_CONF = fileURLToPath(new URL('../load-balancers/webserver/error-pages.conf', import.meta.url));
export const ERROR_LOCATIONS_CONF = fileURLToPath(new URL('../load-balancers/webserver/error-locations.conf', import.meta.url));

/** Per client address: requests per second (with a burst taken at once) and open connections. */
export interface ClientLimits {
  ratePerSecond: number;
  burst: number;
  connections: number;
}

// The same as load-balancers/webserver/docker.conf's.
export const DEFAULT_CLIENT_LIMITS: ClientLimits = { ratePerSecond: 10_000, burst: 20_000, connections: 4_096 };

/** How long nginx keeps an idle upstream connection (its default; load-balancers/webserver/docker.conf's too). */
export const UPSTREAM_KEEPALIVE_TIMEOUT_S = 60;

export const RANDOM_USER_CONF = fileURLToPath(new URL('../load-balancers/webserver/random-user.conf', import.meta.url));

export function nginxConf(opts: { port: number; webserverPorts: number[]; runDir: string; randomUserPorts?: number[]; randomUserPublicPort?: number; limits?: ClientLimits }): string {
  const limits = opts.limits ?? DEFAULT_CLIENT_LIMITS;
  const serverLines = (ports: number[]) => ports.map((port) => `        server 127.0.0.1:${port} max_fails=3 fail_timeout=5s;`).join('\n');
  const servers = serverLines(opts.webserverPorts);
  const randomUser = randomUserConf(opts.randomUserPorts ?? [], opts.randomUserPublicPort, serverLines);
  const dir = opts.runDir;
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/nginx-error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path ${dir}/nginx/client_body;
    proxy_temp_path ${dir}/nginx/proxy;
    fastcgi_temp_path ${dir}/nginx/fastcgi;
    uwsgi_temp_path ${dir}/nginx/uwsgi;
    scgi_temp_path ${dir}/nginx/scgi;
    # Overload: each client address gets a request rate and a number of connections; beyond them 429.
    limit_req_zone $binary_remote_addr zone=per_client_rate:10m rate=${limits.ratePerSecond}r/s;
    limit_conn_zone $binary_remote_addr zone=per_client_conn:10m;
    limit_req zone=per_client_rate burst=${limits.burst} nodelay;
    limit_conn per_client_conn ${limits.connections};
    upstream webserver {
${servers}
        # Idle upstream connections kept per worker: at 64, most of 256 concurrent clients' requests opened a
        # new connection to a webserver (create p99 over 1 s); at 512 they reuse one (BENCHMARKS.md).
        keepalive 512;
        # Below the webservers' HTTP_KEEP_ALIVE_TIMEOUT_MS (65 s): nginx closes an idle connection first,
        # so it never sends a request on one a webserver is closing.
        keepalive_timeout ${UPSTREAM_KEEPALIVE_TIMEOUT_S}s;
    }
    server {
        listen 127.0.0.1:${opts.port};
        include ${ERROR_LOCATIONS_CONF};
        include ${ERROR_PAGES_CONF};
        include ${LOCATIONS_CONF};
${randomUser.prefixed}    }
${randomUser.blocks}}
`;
}

/** The random-user service: its upstream, /random-user/ on the API's port, and its own port. */
function randomUserConf(ports: number[], publicPort: number | undefined, serverLines: (ports: number[]) => string) {
  if (ports.length === 0) return { prefixed: '', blocks: '' };
  const ownPort =
    publicPort === undefined
      ? ''
      : `    server {
        listen 127.0.0.1:${publicPort};
        include ${ERROR_LOCATIONS_CONF};
        include ${ERROR_PAGES_CONF};
        include ${RANDOM_USER_CONF};
        location / {
            proxy_pass http://random_user;
        }
    }
`;
  return {
    prefixed: `        location /random-user/ {
            include ${ERROR_PAGES_CONF};
            include ${RANDOM_USER_CONF};
            proxy_pass http://random_user/;
        }
`,
    blocks: `    upstream random_user {
${serverLines(ports)}
        keepalive 64;
        keepalive_timeout ${UPSTREAM_KEEPALIVE_TIMEOUT_S}s;
    }
${ownPort}`,
  };
}
