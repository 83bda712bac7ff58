#!/usr/bin/env bash
# Installs what a fresh Debian machine with Node lacks for the stack: npm dependencies, nginx, and
# (when AMQP_URL / POSTGRES_URL are local, as by default) RabbitMQ and PostgreSQL from Debian's packages,
# started when they are not running. Idempotent; run by `npm run stack`, the tests, the benchmark and
# the chaos run before they start.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies ..."
  # Exactly the locked, tested versions: `npm ci` never rewrites package-lock.json, so an install leaves
  # the tree clean. The lockfile keeps every platform's optional packages (msgpackr-extract's and
  # others'), without which `npm ci` refuses it.
  npm ci --no-audit --no-fund --loglevel=error
fi


SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
is_local() { case "$1" in *@127.0.0.1*|*@localhost*|*//127.0.0.1*|*//localhost*) return 0 ;; *) return 1 ;; esac; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_install() {
  echo "installing $* from Debian's packages ..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
wait_for_port() { # wait_for_port PORT NAME: up to 60 s, a dot a second
  for _ in $(seq 60); do port_open "$1" && { echo " up"; return 0; }; printf .; sleep 1; done
  echo; return 1
}

if is_local "${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}" && ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  printf "starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -n | tail -1)" main start 2>/dev/null || true
  wait_for_port 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432; start it: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2; exit 1; }
fi

if is_local "${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}" && ! port_open 5672; then
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  printf "starting RabbitMQ"
  $SUDO rabbitmq-server -detached 2>/dev/null || true
  wait_for_port 5672 || { echo "RabbitMQ is not reachable on 127.0.0.1:5672; start it: rabbitmq-server -detached" >&2; exit 1; }
fi

[ -x "${NGINX_BIN:-/usr/sbin/nginx}" ] || apt_install nginx
# The dashboard's end-to-end test drives Debian's Chromium headless (playwright-core, no downloaded browser).
[ -x /usr/bin/chromium ] || apt_install chromium

# The RabbitMQ management UI, when the broker runs on this machine and the plugin is not yet enabled.
if command -v rabbitmq-plugins >/dev/null 2>&1 && ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
  rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || echo "note: could not enable the RabbitMQ management UI"
fi
