"""Backups off the host and the restore drill, against an in-process S3 (moto) and PostgreSQL."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from django.core.management import call_command
from moto import mock_aws
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.core import backups

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bucket(settings):
    with mock_aws():
        settings.BACKUP_BUCKET = "cw-backups"
        settings.BACKUP_S3_ENDPOINT_URL = ""
        settings.BACKUP_S3_REGION_NAME = "us-east-1"
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="cw-backups")
        yield s3


def _keys(s3, prefix):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="cw-backups", Prefix=prefix).get("Contents", []))


def test_backup_then_drill_restores_rows_and_every_image(bucket, capsys):
    ProductVariantFactory.create_batch(3, stock_on_hand=5)
    image = get_image_model().objects.create(title="pic", file=get_test_image_file(size=(40, 30)))
    call_command("backup_create")
    stamp = backups.backup_stamps(bucket)[-1]
    assert f"db/{stamp}.dump" in _keys(bucket, "db/")
    assert f"media/objects/{image.file.name}" in _keys(bucket, "media/objects/")

    call_command("restore_drill")
    out = capsys.readouterr().out
    summary = json.loads(out.splitlines()[-2])
    assert summary["counts"]["catalog_productvariant"] == 3
    assert summary["counts"]["wagtailimages_image"] == 1
    assert summary["files_referenced"] >= 1 and summary["media_files"] >= 1
    assert "restore drill passed" in out
    assert _keys(bucket, "restore-drill/") == []  # scratch media removed after the drill


def test_drill_fails_when_a_backed_up_image_file_is_missing(bucket):
    image = get_image_model().objects.create(title="pic", file=get_test_image_file(size=(40, 30)))
    call_command("backup_create")
    bucket.delete_object(Bucket="cw-backups", Key=f"media/objects/{image.file.name}")
    with pytest.raises(Exception, match=f"file {image.file.name} is not in the restored media"):
        call_command("restore_drill")


def test_media_is_copied_once_across_backups(bucket):
    get_image_model().objects.create(title="pic", file=get_test_image_file(size=(40, 30)))
    first = backups.backup_create()
    second = backups.backup_create()
    assert first["media_files"] == second["media_files"] == len(_keys(bucket, "media/objects/"))
    assert len(_keys(bucket, "media/manifests/")) == 2


def test_retention_deletes_old_backups_but_keeps_the_minimum(bucket, settings):
    settings.BACKUP_KEEP_DAYS = 14
    settings.BACKUP_KEEP_MIN = 2
    now = datetime.now(UTC)
    for days_ago in (40, 30, 20):
        backups.backup_create(now=now - timedelta(days=days_ago))
    # the three are old, but two must stay
    assert len(backups.backup_stamps(bucket)) == 2
    backups.backup_create(now=now)
    stamps = backups.backup_stamps(bucket)
    assert len(stamps) == 2 and stamps[-1] == now.strftime(backups.STAMP_FORMAT)
    assert len(_keys(bucket, "media/manifests/")) == 2
