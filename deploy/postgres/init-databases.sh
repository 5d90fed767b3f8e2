#!/bin/sh
# First start of the compose PostgreSQL only (docker-entrypoint-initdb.d): the application role
# and one database per service that owns one. The node's registry, publisher and relay share
# nettungen_node; search and reporting each keep their own.
set -eu
psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     --set app_password="$NETTUNGEN_DB_PASSWORD" <<'SQL'
CREATE ROLE nettungen LOGIN PASSWORD :'app_password';
CREATE DATABASE nettungen_node OWNER nettungen;
CREATE DATABASE nettungen_search OWNER nettungen;
CREATE DATABASE nettungen_reporting OWNER nettungen;
SQL
