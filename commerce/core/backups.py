"""Backups of the database and the media to S3-compatible storage, retention, and the restore drill.

Layout of the backup bucket (`BACKUP_BUCKET`, private, ideally another account or provider):

    db/<stamp>.dump              pg_dump custom format, taken in one snapshot with the counts below
    db/<stamp>.json              metadata: row counts per table in that snapshot, the media manifest
    media/objects/<path>         every media file, copied once (media files are never rewritten in
                                 place: Wagtail and Django give a new name to every upload)
    media/manifests/<stamp>.json the media paths (and sizes) that backup <stamp> refers to
    restore-drill/<stamp>/...    scratch media prefix the drill restores into (deleted after it)

Retention keeps every backup younger than `BACKUP_KEEP_DAYS` and never fewer than `BACKUP_KEEP_MIN`;
media objects that no kept manifest names are then deleted.

The drill restores the latest dump into a scratch database, copies its media to the scratch prefix,
and checks: the row counts equal those recorded in the dump's snapshot, allocated <= on hand and on
hand >= 0 on every variant, and every file a row names (images, renditions, documents, review
images) is present among the restored media.
"""

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections, models

logger = logging.getLogger(__name__)

STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"


class BackupError(Exception):
    pass


@dataclass
class DrillReport:
    stamp: str
    database: str
    tables: int = 0
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    files_referenced: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- the bucket ---------------------------------------------------------------------------------
def backup_bucket() -> str:
    bucket = getattr(settings, "BACKUP_BUCKET", "")
    if not bucket:
        raise BackupError("BACKUP_BUCKET is not set")
    return bucket


def backup_s3():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None,
        region_name=settings.BACKUP_S3_REGION_NAME or None,
        aws_access_key_id=settings.BACKUP_AWS_ACCESS_KEY_ID or None,
        aws_secret_access_key=settings.BACKUP_AWS_SECRET_ACCESS_KEY or None,
    )


def _list_keys(s3, bucket: str, prefix: str) -> dict[str, int]:
    keys: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            keys[item["Key"]] = item["Size"]
    return keys


def backup_stamps(s3=None) -> list[str]:
    """Stamps of complete backups (dump and metadata both uploaded), oldest first."""
    s3 = s3 or backup_s3()
    keys = _list_keys(s3, backup_bucket(), "db/")
    stamps = {key[3:-5] for key in keys if key.endswith(".json")}
    return sorted(stamp for stamp in stamps if f"db/{stamp}.dump" in keys)


# --- the database -------------------------------------------------------------------------------
def _libpq_env(db_settings: dict, dbname: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db_settings.get(key):
            env[var] = str(db_settings[key])
    env["PGDATABASE"] = dbname or db_settings["NAME"]
    return env


def _conninfo(db_settings: dict, dbname: str) -> str:
    parts = {"dbname": dbname, "host": db_settings.get("HOST") or "", "port": db_settings.get("PORT") or "",
             "user": db_settings.get("USER") or "", "password": db_settings.get("PASSWORD") or ""}
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in parts.items() if v})


def _pg_tool(name: str) -> str:
    """Absolute path of pg_dump / pg_restore (PG_BIN_DIR first: the client must not be older than the
    server)."""
    path = shutil.which(name, path=os.environ.get("PG_BIN_DIR") or None) or shutil.which(name)
    if not path:
        raise BackupError(f"{name} not found: install postgresql-client or set PG_BIN_DIR")
    return path


def _table_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_database(db_settings: dict, path: str) -> dict[str, int]:
    """pg_dump into `path` and count every table, both in one exported snapshot (so the counts are
    exactly what the dump holds, whatever orders arrive meanwhile)."""
    with psycopg.connect(_conninfo(db_settings, db_settings["NAME"]), autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _table_counts(conn.cursor())
        result = subprocess.run(  # noqa: S603 - fixed argv
            [_pg_tool("pg_dump"), "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={path}"],
            env=_libpq_env(db_settings), capture_output=True, text=True, check=False,
        )
        conn.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


# --- media --------------------------------------------------------------------------------------
def _walk_storage(storage, path: str = "") -> list[tuple[str, int]]:
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return []
    found = []
    for name in files:
        full = f"{path}/{name}" if path else name
        found.append((full, storage.size(full)))
    for name in directories:
        found.extend(_walk_storage(storage, f"{path}/{name}" if path else name))
    return found


def _media_in_same_s3(storage) -> str | None:
    """The media bucket when media is on S3 behind the backup endpoint (server-side copies), else None."""
    bucket = getattr(storage, "bucket_name", None)
    if not bucket:
        return None
    same_endpoint = (getattr(storage, "endpoint_url", None) or None) == (settings.BACKUP_S3_ENDPOINT_URL or None)
    return bucket if same_endpoint else None


def _media_key(storage, name: str) -> str:
    location = (getattr(storage, "location", "") or "").strip("/")
    return f"{location}/{name}" if location else name


def backup_media(s3, stamp: str) -> dict[str, int]:
    """Copy every media file not yet in the bucket, then write this backup's manifest."""
    bucket = backup_bucket()
    storage = default_storage
    files = dict(_walk_storage(storage))
    present = _list_keys(s3, bucket, "media/objects/")
    media_bucket = _media_in_same_s3(storage)
    copied = 0
    for name, size in files.items():
        key = f"media/objects/{name}"
        if present.get(key) == size:
            continue
        if media_bucket:
            s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": media_bucket, "Key": _media_key(storage, name)})
        else:
            with storage.open(name, "rb") as handle:
                s3.upload_fileobj(handle, bucket, key)
        copied += 1
    manifest = {"stamp": stamp, "files": files}
    s3.put_object(Bucket=bucket, Key=f"media/manifests/{stamp}.json", Body=json.dumps(manifest).encode())
    logger.info("backup: %d media files, %d copied", len(files), copied)
    return files


# --- backup and retention -----------------------------------------------------------------------
def backup_create(*, now: datetime | None = None) -> dict:
    """One backup: database dump + counts, media copied, metadata last (a backup without metadata is
    incomplete and ignored by restore and retention alike). Then retention."""
    s3 = backup_s3()
    bucket = backup_bucket()
    stamp = (now or datetime.now(UTC)).strftime(STAMP_FORMAT)
    db_settings = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        raise BackupError("backups need PostgreSQL (DATABASE_URL=postgres://...)")
    with tempfile.TemporaryDirectory() as tmp:
        dump_path = os.path.join(tmp, "db.dump")
        counts = _dump_database(db_settings, dump_path)
        digest = hashlib.sha256()
        with open(dump_path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        s3.upload_file(dump_path, bucket, f"db/{stamp}.dump")
        size = os.path.getsize(dump_path)
    files = backup_media(s3, stamp)
    metadata = {"stamp": stamp, "database": db_settings["NAME"], "dump_bytes": size,
                "dump_sha256": digest.hexdigest(), "counts": counts, "media_files": len(files)}
    s3.put_object(Bucket=bucket, Key=f"db/{stamp}.json", Body=json.dumps(metadata, indent=1).encode())
    deleted = backup_prune(s3=s3, now=now)
    metadata["pruned"] = deleted
    return metadata


def backup_prune(*, s3=None, now: datetime | None = None) -> list[str]:
    """Delete backups older than BACKUP_KEEP_DAYS, keeping at least BACKUP_KEEP_MIN, then the media
    objects no kept manifest names. Returns the stamps deleted."""
    s3 = s3 or backup_s3()
    bucket = backup_bucket()
    now = now or datetime.now(UTC)
    stamps = backup_stamps(s3)
    cutoff = now - timedelta(days=settings.BACKUP_KEEP_DAYS)
    keep_min = max(1, settings.BACKUP_KEEP_MIN)
    removable = stamps[:-keep_min] if len(stamps) > keep_min else []
    doomed = [s for s in removable if datetime.strptime(s, STAMP_FORMAT).replace(tzinfo=UTC) < cutoff]
    for stamp in doomed:
        for key in (f"db/{stamp}.json", f"db/{stamp}.dump", f"media/manifests/{stamp}.json"):
            s3.delete_object(Bucket=bucket, Key=key)
    if doomed:
        referenced = set()
        for key in _list_keys(s3, bucket, "media/manifests/"):
            manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            referenced.update(f"media/objects/{name}" for name in manifest["files"])
        for key in _list_keys(s3, bucket, "media/objects/"):
            if key not in referenced:
                s3.delete_object(Bucket=bucket, Key=key)
    return doomed


# --- the restore drill --------------------------------------------------------------------------
def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField/ImageField of an installed model: the files rows name."""
    columns = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for fld in model._meta.concrete_fields:
            if isinstance(fld, models.FileField):
                columns.append((model._meta.db_table, fld.column))
    return sorted(set(columns))


def restore_drill(*, scratch_db: str | None = None, stamp: str | None = None, keep: bool = False) -> DrillReport:
    """Restore the latest (or the given) backup into a scratch database and media prefix and check it."""
    s3 = backup_s3()
    bucket = backup_bucket()
    stamps = backup_stamps(s3)
    if not stamps:
        raise BackupError(f"no complete backup in s3://{bucket}/db/")
    stamp = stamp or stamps[-1]
    metadata = json.loads(s3.get_object(Bucket=bucket, Key=f"db/{stamp}.json")["Body"].read())
    db_settings = connections["default"].settings_dict
    scratch_db = scratch_db or f"{db_settings['NAME']}_restore_drill"
    if scratch_db == db_settings["NAME"]:
        raise BackupError("the scratch database must not be the live one")
    report = DrillReport(stamp=stamp, database=scratch_db)

    # database: a fresh scratch database, then pg_restore
    with psycopg.connect(_conninfo(db_settings, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch_db}"')
    with tempfile.TemporaryDirectory() as tmp:
        dump_path = os.path.join(tmp, "db.dump")
        s3.download_file(bucket, f"db/{stamp}.dump", dump_path)
        result = subprocess.run(  # noqa: S603 - fixed argv
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={scratch_db}", dump_path],
            env=_libpq_env(db_settings, scratch_db), capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        report.problems.append(f"pg_restore failed: {result.stderr.strip()[:500]}")
        return report

    # media: every file of the manifest into the scratch prefix
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=f"media/manifests/{stamp}.json")["Body"].read())
    prefix = f"restore-drill/{stamp}/media/"
    for name in manifest["files"]:
        try:
            s3.copy_object(Bucket=bucket, Key=prefix + name, CopySource={"Bucket": bucket, "Key": f"media/objects/{name}"})
        except Exception as exc:  # noqa: BLE001 - a missing object is a finding, not a crash
            report.problems.append(f"media object missing from the backup: {name} ({type(exc).__name__})")
    restored = {key[len(prefix):]: size for key, size in _list_keys(s3, bucket, prefix).items()}
    report.media_files = len(restored)
    for name, size in manifest["files"].items():
        if name in restored and restored[name] != size:
            report.problems.append(f"media file {name}: {restored[name]} bytes restored, {size} backed up")

    # invariants on the scratch database
    with psycopg.connect(_conninfo(db_settings, scratch_db)) as conn:
        cursor = conn.cursor()
        counts = _table_counts(cursor)
        report.counts = counts
        report.tables = len(counts)
        report.rows = sum(counts.values())
        for table, expected in metadata["counts"].items():
            if counts.get(table) != expected:
                report.problems.append(f"{table}: {counts.get(table)} rows restored, {expected} backed up")
        cursor.execute(
            "SELECT count(*) FILTER (WHERE stock_allocated > stock_on_hand),"
            " count(*) FILTER (WHERE stock_on_hand < 0) FROM catalog_productvariant"
        )
        over_allocated, negative = cursor.fetchone()
        if over_allocated:
            report.problems.append(f"{over_allocated} variants with allocated > on hand")
        if negative:
            report.problems.append(f"{negative} variants with on hand < 0")
        for table, column in _file_columns():
            if table not in counts:
                continue
            cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\'')  # noqa: S608
            for (name,) in cursor.fetchall():
                report.files_referenced += 1
                if name not in restored:
                    report.problems.append(f"{table}.{column}: file {name} is not in the restored media")

    if not keep:
        for key in list(_list_keys(s3, bucket, f"restore-drill/{stamp}/")):
            s3.delete_object(Bucket=bucket, Key=key)
        with psycopg.connect(_conninfo(db_settings, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
    return report
