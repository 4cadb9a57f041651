#!/bin/sh
# Usage: scripts/package-app.sh APP OUT, from the repository root once `pnpm install` has run.
# What the container image is made of, written to OUT (the Dockerfile runs exactly this):
#   OUT/app      the app compiled to dist/ with the third-party packages it imports (pnpm deploy
#                --prod): no TypeScript, no tooling, no development dependency
#   OUT/migrate  for an app with a database: the suite-db command and the app's migrations, run
#                once per release as `node bin/suite-db.js migrate`, never by the app itself
set -eu
app="$1"
out="$2"
[ -d "apps/$app" ] || { echo "package-app: no app named $app" >&2; exit 2; }
pnpm --filter "@otp-suite/$app" run --if-present generate
# The workspace packages whose built files the app serves (the gateway: the admin dashboard), then the app.
pnpm --filter "@otp-suite/$app^..." run --if-present build
pnpm --filter "@otp-suite/$app" run build
pnpm --filter "@otp-suite/$app" deploy --prod --offline "$out/app"
if [ -d "apps/$app/prisma/migrations" ]; then
  pnpm --filter @otp-suite/db deploy --prod --offline "$out/migrate"
  mkdir -p "$out/migrate/prisma"
  cp -R "apps/$app/prisma/migrations" "$out/migrate/prisma/migrations"
fi
