"""Uploaded files on an S3-compatible service (issue 17), through the real upload paths, against moto's in-process
S3 (`mock_aws`): a grid case photo lands in the media bucket and is served back without a local path; an import
upload lands encrypted in the private bucket, the worker reads it from there and deletes it; `retention_purge`
works through the storage API."""

import datetime as dt
import os

import boto3
import pytest
from django.core.management import call_command
from django.urls import reverse
from moto import mock_aws

from shequ.core import crypto, sharedstate
from shequ.core.choices import JobStatus
from shequ.core.models import Job
from shequ.core.tasks import run_ready_tasks
from shequ.grid.models import Case
from shequ.grid.tests.conftest import DUNHUA, env, jpeg  # noqa: F401 — `env` is a fixture
from shequ.people.models import Resident
from shequ.people.tests.test_import_export import GOOD_1, mixed_rows, xlsx

pytestmark = pytest.mark.django_db

MEDIA, PRIVATE = "shequ-media", "shequ-private"


@pytest.fixture
def s3(settings, monkeypatch):
    """Both storages on S3 (moto), configured as a node reads them from its environment."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=MEDIA)
        client.create_bucket(Bucket=PRIVATE)
        settings.STORAGES = sharedstate.storage_settings(
            {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": MEDIA, "AWS_PRIVATE_BUCKET_NAME": PRIVATE,
             "AWS_S3_REGION_NAME": "us-east-1"},
            staticfiles_backend=settings.STORAGES["staticfiles"]["BACKEND"])
        yield client


def _keys(client, bucket: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_a_case_photo_goes_to_the_bucket_and_is_served_from_it(env, client_as, s3, settings):
    client = client_as(env["inspector"])
    response = client.post(reverse("grid:report"), {"category": "E0102", "description": "路边有暴露垃圾",
                                                    "lat": DUNHUA[0], "lng": DUNHUA[1], "source": "patrol",
                                                    "photos": [jpeg()]})
    assert response.status_code == 302
    photo = Case.objects.get().photos.get()
    assert _keys(s3, MEDIA) == [f"media/{photo.file.name}"] and photo.file.name.startswith("grid/")
    assert _keys(s3, PRIVATE) == []
    assert not any(settings.MEDIA_ROOT.rglob(os.path.basename(photo.file.name)))  # nothing on the node's disk
    stored = s3.get_object(Bucket=MEDIA, Key=f"media/{photo.file.name}")["Body"].read()
    assert stored.startswith(b"\xff\xd8")  # the re-encoded JPEG
    # Read back through the FieldFile, which has no local path on S3.
    with pytest.raises(NotImplementedError):
        photo.file.path  # noqa: B018
    assert photo.file.size == len(stored)
    image = client.get(reverse("grid:photo", args=[photo.pk]))
    assert image.status_code == 200 and b"".join(image.streaming_content) == stored
    assert client_as(env["kongjiang"]).get(reverse("grid:photo", args=[photo.pk])).status_code == 404


def test_an_import_upload_is_stored_encrypted_in_the_private_bucket_and_read_by_the_worker(personas, tree,
                                                                                          client_as, s3):
    client = client_as(personas["dunhua"])
    assert client.post("/people/import/", {"file": xlsx(mixed_rows())}).status_code == 302
    job = Job.objects.get()
    assert _keys(s3, PRIVATE) == [f"private/{job.file.name}"] and _keys(s3, MEDIA) == []
    stored = s3.get_object(Bucket=PRIVATE, Key=f"private/{job.file.name}")["Body"].read()
    assert not stored.startswith(b"PK") and GOOD_1.encode() not in stored  # encrypted at rest, as on disk
    assert crypto.decrypt_bytes(stored).startswith(b"PK\x03\x04")

    assert run_ready_tasks() == 1  # the worker reads the upload from the bucket, not from a path
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 2 and Resident.objects.count() == 2
    assert not job.file and _keys(s3, PRIVATE) == []


def test_retention_purge_cleans_the_buckets_through_the_storage_api(personas, tree, client_as, s3):
    import time_machine
    from django.utils import timezone

    client = client_as(personas["dunhua"])
    client.post("/people/import/", {"file": xlsx(mixed_rows())})
    fresh = Job.objects.get()
    s3.put_object(Bucket=PRIVATE, Key="private/jobs/2020/01/orphan.bin", Body=b"x")
    s3.put_object(Bucket=MEDIA, Key="media/jobs/2025/11/people.resident_import.xlsx", Body=b"PK\x03\x04 clear")
    call_command("retention_purge", stdout=open(os.devnull, "w"))
    # The orphan is younger than the retention window: kept; the clear-text legacy upload: gone at once.
    assert sorted(_keys(s3, PRIVATE)) == sorted([f"private/{fresh.file.name}", "private/jobs/2020/01/orphan.bin"])
    assert _keys(s3, MEDIA) == []

    with time_machine.travel(timezone.now() + dt.timedelta(hours=30)):
        Job.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
        call_command("retention_purge", stdout=open(os.devnull, "w"))
    # A day later the orphan is gone; the job's own upload is still there (its job is only five minutes old).
    assert _keys(s3, PRIVATE) == [f"private/{fresh.file.name}"]
