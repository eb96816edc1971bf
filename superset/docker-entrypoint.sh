#!/usr/bin/env bash
# The compose stack's Superset (docker-compose.yml): the steps of `motcua bi superset`
# (src/motcua/bi/superset.provision) with the image's own tools, then the image's server.
# The bundle's connection already names the stack's warehouse (warehouse:5432/motcua).
set -euo pipefail
superset db upgrade
superset fab create-admin --username admin --firstname Motcua --lastname Admin \
    --email admin@motcua.invalid --password "$MOTCUA_SUPERSET_ADMIN_PASSWORD"
superset init
# import-directory logs a refused file and still exits 0: read what it said.
output=$(superset import-directory /app/motcua/assets --overwrite 2>&1)
echo "$output"
if grep -qE "Error importing|Validation failed|Traceback" <<<"$output"; then
    echo "superset import-directory refused the bundle" >&2
    exit 1
fi
exec /usr/bin/run-server.sh
