# syntax=docker/dockerfile:1
# One image per app of the suite:
#   docker build --build-arg APP=otp-service -t otp-suite/otp-service .                   the service
#   docker build --build-arg APP=otp-service --target migrate -t otp-suite/otp-service-migrate .
#                                                                    its migrations, run once per release
# APP is otp-service, user-service, admin-service or gateway (which has no database, so no migrate image).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN npm install --global pnpm@12.21.0
WORKDIR /repo
# The packages first, fetched by the lockfile alone: a code change does not download them again.
COPY pnpm-lock.yaml pnpm-workspace.yaml .pnpmfile.cjs ./
RUN pnpm fetch
COPY . .
# Declared this late so that every app shares the layers above.
ARG APP
RUN test -n "${APP:-}" || { echo "build with --build-arg APP=<otp-service|user-service|admin-service|gateway>" >&2; exit 1; }
RUN pnpm install --offline --frozen-lockfile
# The same steps the tests run: the app compiled and deployed with its production packages only,
# and, beside it, the migration command with the app's migrations.
RUN sh scripts/package-app.sh "${APP}" /out

FROM ${NODE_IMAGE} AS migrate
# The command's TypeScript loads through tsx, whose cache would need a writable disk.
ENV NODE_ENV=production TSX_DISABLE_CACHE=1
WORKDIR /migrate
COPY --from=build /out/migrate ./
USER node
# Needs DATABASE_URL; applies what is pending and exits.
CMD ["node", "bin/suite-db.js", "migrate"]

FROM ${NODE_IMAGE} AS app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# Owned by root, run by node: the process cannot change its own code.
COPY --from=build /out/app ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "--max-old-space-size=128", "--v8-pool-size=0", "dist/server.js"]
