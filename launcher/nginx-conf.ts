// The nginx configuration of a local stack: the shared load-balancer behaviour
// (load-balancers/webserver/locations.conf) in front of the local webserver ports, with every path
// nginx writes to kept inside the stack's run directory so that it needs no system nginx set-up.
import { fileURLToPath } from 'node:url';

export const LOCATIONS_CONF = fileURLToPath(new URL('../load-balancers/webserver/locations.conf', import.meta.url));

export const RANDOM_USER_CONF = fileURLToPath(new URL('../load-balancers/webserver/random-user.conf', import.meta.url));

export function nginxConf(opts: { port: number; webserverPorts: number[]; runDir: string; randomUserPorts?: number[]; randomUserPublicPort?: number }): string {
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
    upstream webserver {
${servers}
        # Idle upstream connections kept per worker: at 64, most of 256 concurrent clients' requests opened a
        # new connection to a webserver (create p99 over 1 s); at 512 they reuse one (BENCHMARKS.md).
        keepalive 512;
    }
    server {
        listen 127.0.0.1:${opts.port};
        include ${LOCATIONS_CONF};
${randomUser.prefixed}    }
${randomUser.blocks}}
`;
}

/** Seed 000's random-user service: its upstream, /random-user/ on the API's port, and its own port. */
function randomUserConf(ports: number[], publicPort: number | undefined, serverLines: (ports: number[]) => string) {
  if (ports.length === 0) return { prefixed: '', blocks: '' };
  const ownPort = publicPort === undefined ? '' : `    server {
        listen 127.0.0.1:${publicPort};
        include ${RANDOM_USER_CONF};
        location / {
            proxy_pass http://random_user;
        }
    }
`;
  return {
    prefixed: `        location /random-user/ {
            include ${RANDOM_USER_CONF};
            proxy_pass http://random_user/;
        }
`,
    blocks: `    upstream random_user {
${serverLines(ports)}
        keepalive 64;
    }
${ownPort}`,
  };
}
