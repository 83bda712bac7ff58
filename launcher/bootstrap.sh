#!/usr/bin/env bash
# Installs what a fresh Debian machine with Node lacks for the stack: npm dependencies and nginx.
# Idempotent; run by `npm run stack`, the tests and the benchmark before they start.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies ..."
  # npm 11.19's `npm ci` refuses lockfiles whose packages have optional per-platform dependencies
  # (npm/cli#9846); `npm install` installs the same locked versions and leaves the lockfile as it is.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null \
    || npm install --no-audit --no-fund --loglevel=error
fi

if [ ! -x "${NGINX_BIN:-/usr/sbin/nginx}" ]; then
  echo "installing nginx ..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
fi

# The RabbitMQ management UI, when the broker runs on this machine and the plugin is not yet enabled.
if command -v rabbitmq-plugins >/dev/null 2>&1 && ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
  rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || echo "note: could not enable the RabbitMQ management UI"
fi
