#!/usr/bin/env bash
# Checks docker-compose.yml without a Docker engine:
#   1. `docker-compose config -q` accepts it (Debian's docker-compose is installed when missing);
#   2. every build arg SERVICE names a process of the repo (<service>/main.ts, or launcher/migrate.ts
#      for "migrate") that the Dockerfile's CMD knows how to start;
#   3. every environment key given to a SERVICE-built container is a key of common/process/config.ts.
# Exits non-zero on the first kind of problem found, saying what is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE_FILE=docker-compose.yml

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: installing docker-compose (Debian package) ..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker-compose >/dev/null
fi

# Variables the file interpolates must not come from whoever runs the check.
unset POSTGRES_PASSWORD RABBITMQ_USER RABBITMQ_PASSWORD LOG_LEVEL || true

if ! docker-compose -f "$COMPOSE_FILE" config -q; then
  echo "check-compose: $COMPOSE_FILE is not valid (docker-compose config)" >&2
  exit 1
fi

resolved=$(mktemp)
trap 'rm -f "$resolved"' EXIT
docker-compose -f "$COMPOSE_FILE" config > "$resolved"

python3 - "$resolved" <<'PY'
import re, sys, os
import yaml

with open(sys.argv[1]) as f:
    compose = yaml.safe_load(f)
config_ts = open('common/process/config.ts').read()
dockerfile = open('Dockerfile').read()
config_keys = set(re.findall(r'^\s+([A-Z][A-Z0-9_]*):', config_ts, re.M))
problems = []
built = 0
for name, service in compose.get('services', {}).items():
    build = service.get('build')
    if not isinstance(build, dict):
        continue
    args = build.get('args') or {}
    if isinstance(args, list):
        args = dict(item.split('=', 1) for item in args)
    if 'SERVICE' not in args:
        continue
    built += 1
    target = args['SERVICE']
    entry = 'launcher/migrate.ts' if target == 'migrate' else f'{target}/main.ts'
    if not os.path.isfile(entry):
        problems.append(f'{name}: build arg SERVICE={target} but {entry} does not exist')
    if not re.search(r'(^|[|( ])' + re.escape(target) + r'([|)]|$)', dockerfile, re.M):
        problems.append(f'{name}: the Dockerfile CMD does not start SERVICE={target}')
    env = service.get('environment') or {}
    if isinstance(env, list):
        env = dict(item.split('=', 1) if '=' in item else (item, None) for item in env)
    for key in env:
        if key not in config_keys:
            problems.append(f'{name}: environment key {key} is not a key of common/process/config.ts')
if built == 0:
    problems.append('no service is built with a SERVICE build arg')
for problem in problems:
    print(f'check-compose: {problem}', file=sys.stderr)
if problems:
    sys.exit(1)
print(f'check-compose: ok ({built} services built from the Dockerfile, environment keys known)')
PY
