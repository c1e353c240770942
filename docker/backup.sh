#!/bin/sh
# Nightly PostgreSQL backup: a compressed custom-format dump, keeping the last BACKUP_KEEP_DAYS days.
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${PGDATABASE:?}"
BACKUP_DIR=${BACKUP_DIR:-/backups}
KEEP=${BACKUP_KEEP_DAYS:-14}
INTERVAL=${BACKUP_INTERVAL_SECONDS:-86400}

while true; do
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  file="$BACKUP_DIR/${PGDATABASE}-${stamp}.dump"
  echo "backup: writing $file"
  pg_dump --format=custom --compress=9 --file="$file.partial" && mv "$file.partial" "$file"
  find "$BACKUP_DIR" -name "${PGDATABASE}-*.dump" -mtime +"$KEEP" -delete
  sleep "$INTERVAL"
done
