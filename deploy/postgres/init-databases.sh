#!/bin/sh
# Run once by the postgres image on an empty data directory: one role and one database per
# service, each database owned by its role and closed to the others.
set -eu
create() {
  psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --set name="$1" --set password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
}
create otp_service "$OTP_DB_PASSWORD"
create user_service "$USER_DB_PASSWORD"
create admin_service "$ADMIN_DB_PASSWORD"
