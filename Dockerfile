# One image per process type of the timer service. docker-compose.yml builds it once per service with
# the build argument SERVICE (webserver | consumer | timer | trigger | worker | retention | random-user | migrate | simulator | exporter).
#   docker build --build-arg SERVICE=webserver -t timer-webserver .

# ---- build: compile the TypeScript sources to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a change of source code reuses this layer.
# The image's own npm (10.x) is used on purpose: npm 11.16+ rejects lockfiles that leave out
# platform-specific optional packages (npm/cli#9846).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json knexfile.ts ./
COPY common ./common
COPY webserver ./webserver
COPY consumer ./consumer
COPY timer ./timer
COPY trigger ./trigger
COPY worker ./worker
COPY retention ./retention
COPY random-user ./random-user
COPY simulator ./simulator
COPY exporter ./exporter
COPY launcher ./launcher
COPY migrations ./migrations
RUN npm run build
# tsc compiles only TypeScript: the dashboard's page, script and stylesheet go beside its compiled routes.
RUN cp -r webserver/dashboard/page dist/webserver/dashboard/page

# ---- runtime: production dependencies and the compiled code only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force
COPY --from=build /app/dist ./dist

ARG SERVICE=webserver
ENV SERVICE=${SERVICE}
# The webserver listens on PORT (3000), the random-user service on RANDOM_USER_PORT (8001); their
# healthchecks live in docker-compose.yml. On the container's interface, not only its loopback (the
# configuration's default), so that nginx and Prometheus in other containers reach them.
ENV HTTP_HOST=0.0.0.0 METRICS_HOST=0.0.0.0
EXPOSE 3000 8001

# /data: where the simulator writes its per-worker files and exporters share TARGET_FILE (a named volume
# mounted there starts out owned by node).
RUN mkdir -p /data && chown node:node /data

USER node
# exec: node replaces the shell, so SIGTERM from `docker stop` reaches it and it drains gracefully.
CMD ["/bin/sh", "-c", "case \"$SERVICE\" in webserver|consumer|timer|trigger|worker|retention|random-user|simulator|exporter) exec node dist/$SERVICE/main.js ;; migrate) exec node dist/launcher/migrate.js ;; *) echo \"unknown SERVICE '$SERVICE' (webserver|consumer|timer|trigger|worker|retention|random-user|simulator|exporter|migrate)\" >&2; exit 64 ;; esac"]
