#!/bin/bash
# Runs once, when the warehouse volume is created: Airflow's metadata database and the ETL role.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
create role airflow login password '${AIRFLOW_DB_PASSWORD}';
create database airflow owner airflow;
create role motcua_etl login password '${MOTCUA_ETL_PASSWORD}';
create database motcua owner motcua_etl;
SQL
