"""Several app nodes share their state (issue 17): the cache chosen from the environment, bad configurations
refused with a clear message, and — marked `redis`, against the Redis on 127.0.0.1:6379 (REDIS_URL) — the Redis
cache round trip and rate-limit counters that two nodes' separate Redis clients both see."""

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shequ.core import ratelimit, sharedstate

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


# --- configuration ------------------------------------------------------------------------------------------------

def test_it_keeps_the_database_cache_without_redis_and_switches_to_redis_with_it():
    assert sharedstate.cache_settings({})["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    with_redis = sharedstate.cache_settings({"REDIS_URL": "redis://10.0.0.5:6379/0"})
    assert with_redis["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert with_redis["default"]["LOCATION"] == "redis://10.0.0.5:6379/0"
    assert with_redis["local"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    # The cache may have a Redis (or database) of its own, apart from the task queue's.
    own = sharedstate.cache_settings({"REDIS_URL": "redis://q:6379/0", "CACHE_REDIS_URL": "redis://c:6379/1"})
    assert own["default"]["LOCATION"] == "redis://c:6379/1"
    # A deployment with Redis for the queue only may keep the database cache.
    kept = sharedstate.cache_settings({"REDIS_URL": "redis://q:6379/0", "CACHE_BACKEND": "database"})
    assert kept["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.parametrize("environ, message", [
    ({"CACHE_BACKEND": "redis"}, "CACHE_BACKEND=redis needs CACHE_REDIS_URL or REDIS_URL"),
    ({"CACHE_BACKEND": "redis", "REDIS_URL": "10.0.0.5:6379"}, "CACHE_BACKEND=redis needs"),
    ({"CACHE_BACKEND": "memcached"}, "CACHE_BACKEND must be one of database, redis, got 'memcached'"),
    ({"REDIS_URL": "redis://r:6379/0", "CACHE_REDIS_TIMEOUT": "soon"}, "CACHE_REDIS_TIMEOUT must be a number"),
])
def test_it_refuses_a_bad_cache_configuration_clearly(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        sharedstate.cache_settings(environ)


def test_it_stores_files_on_the_filesystem_unless_s3_is_chosen():
    plain = sharedstate.storage_settings({}, staticfiles_backend=STATIC)
    assert plain["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # follows MEDIA_ROOT
    assert plain["private"]["BACKEND"] == "shequ.core.storage.PrivateFileSystemStorage"
    assert plain["staticfiles"]["BACKEND"] == STATIC
    s3 = sharedstate.storage_settings({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "shequ",
                                       "AWS_S3_ENDPOINT_URL": "http://10.0.0.9:9000", "AWS_S3_REGION_NAME": "cn-east-1",
                                       "AWS_S3_ACCESS_KEY_ID": "never-in-settings"}, staticfiles_backend=STATIC)
    media, private = s3["default"], s3["private"]
    assert media["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["bucket_name"] == private["OPTIONS"]["bucket_name"] == "shequ"
    assert (media["OPTIONS"]["location"], private["OPTIONS"]["location"]) == ("media", "private")
    assert media["OPTIONS"]["endpoint_url"] == "http://10.0.0.9:9000"
    assert media["OPTIONS"]["region_name"] == "cn-east-1"
    assert media["OPTIONS"]["default_acl"] == "private" and media["OPTIONS"]["file_overwrite"] is False
    assert "never-in-settings" not in repr(s3)  # credentials stay in the environment
    # Private files may stay on a shared path while media goes to S3, or have a bucket of their own.
    mixed = sharedstate.storage_settings({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "shequ",
                                          "PRIVATE_STORAGE": "filesystem"}, staticfiles_backend=STATIC)
    assert mixed["private"]["BACKEND"] == "shequ.core.storage.PrivateFileSystemStorage"
    own = sharedstate.storage_settings({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "shequ",
                                        "AWS_PRIVATE_BUCKET_NAME": "shequ-private"}, staticfiles_backend=STATIC)
    assert own["private"]["OPTIONS"]["bucket_name"] == "shequ-private"


@pytest.mark.parametrize("environ, message", [
    ({"MEDIA_STORAGE": "s3"}, r"S3 storage needs AWS_STORAGE_BUCKET_NAME"),
    ({"PRIVATE_STORAGE": "s3"}, r"S3 storage needs AWS_PRIVATE_BUCKET_NAME"),
    ({"MEDIA_STORAGE": "nfs"}, r"MEDIA_STORAGE must be one of filesystem, s3, got 'nfs'"),
    ({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_MEDIA_PREFIX": "files",
      "AWS_S3_PRIVATE_PREFIX": "files/"}, r"private files need their own bucket"),
])
def test_it_refuses_a_bad_storage_configuration_clearly(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        sharedstate.storage_settings(environ, staticfiles_backend=STATIC)


def test_a_node_with_a_bad_configuration_does_not_start():
    """The real settings module, as a node starts it: the error names what to set."""
    env = {**os.environ, "SHEQU_DEV_SECRETS": "1", "DJANGO_SETTINGS_MODULE": "shequ.settings",
           "MEDIA_STORAGE": "s3", "SQLITE_PATH": "/tmp/shequ-bad-config.sqlite3"}
    env.pop("AWS_STORAGE_BUCKET_NAME", None)
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ImproperlyConfigured: S3 storage needs AWS_STORAGE_BUCKET_NAME" in done.stderr


def test_the_suite_and_every_node_keep_sessions_and_lockouts_in_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


@pytest.mark.django_db
def test_the_private_storage_follows_private_root(settings, tmp_path):
    from django.core.files.base import ContentFile

    from shequ.core.models import Job

    storage = Job._meta.get_field("file").storage
    settings.SHEQU_PRIVATE_ROOT = tmp_path / "private"
    name = storage.save("jobs/probe.bin", ContentFile(b"ciphertext"))
    assert (tmp_path / "private" / name).read_bytes() == b"ciphertext"
    assert oct((tmp_path / "private" / name).stat().st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)


# --- Redis --------------------------------------------------------------------------------------------------------

def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("SHEQU_REQUIRE_REDIS"):  # .ci/run: a skipped Redis test is a failure there
            pytest.fail(f"no Redis answering at {REDIS_URL}")
        pytest.skip(f"no Redis answering at {REDIS_URL}")
    return redis.Redis.from_url(REDIS_URL)


def _node_cache(node: str, prefix: str):
    """The default cache as one node builds it from its environment, with a Redis client of its own."""
    from django_redis.cache import RedisCache

    params = sharedstate.cache_settings({"REDIS_URL": REDIS_URL})["default"]
    separator = "&" if "?" in REDIS_URL else "?"
    return RedisCache(f"{REDIS_URL}{separator}client_name={node}", {**params, "KEY_PREFIX": prefix})


@pytest.mark.redis
def test_the_redis_cache_round_trips_through_the_settings(settings):
    conn = _redis_or_skip()
    from django.core.cache import cache, caches

    settings.CACHES = sharedstate.cache_settings({"REDIS_URL": REDIS_URL})
    key = f"test:{uuid.uuid4().hex}"
    try:
        assert type(caches["default"]).__module__ == "django_redis.cache"
        cache.set(key, {"figures": [1, 2, 3], "名称": "延吉新村街道"}, 30)
        assert cache.get(key) == {"figures": [1, 2, 3], "名称": "延吉新村街道"}
        stored = conn.keys(f"shequ:*{key}")
        assert len(stored) == 1 and 0 < conn.ttl(stored[0]) <= 30  # in Redis, with its timeout
        cache.delete(key)
        assert cache.get(key) is None and not conn.keys(f"shequ:*{key}")
    finally:
        cache.delete(key)


@pytest.mark.redis
def test_a_rate_limit_counts_the_attempts_of_both_nodes():
    conn = _redis_or_skip()
    prefix = f"shequ-test-{uuid.uuid4().hex[:12]}"
    node_a, node_b = _node_cache("shequ-node-a", prefix), _node_cache("shequ-node-b", prefix)
    key = "portal:bind-fail:42"
    try:
        # Sequential: what one node counted the other sees, and the limit holds across them.
        assert ratelimit.attempt_record(key, 3600, cache=node_a) == 1
        assert ratelimit.attempts_get(key, cache=node_b) == 1
        assert ratelimit.attempt_record(key, 3600, cache=node_b) == 2
        assert ratelimit.attempts_get(key, cache=node_a) == 2
        # Parallel guesses on both nodes: every one is counted (an atomic INCR, not a read then a write).
        def guess(node):
            for _ in range(25):
                ratelimit.attempt_record(key, 3600, cache=node)

        threads = [threading.Thread(target=guess, args=(n,)) for n in (node_a, node_b, node_a, node_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert ratelimit.attempts_get(key, cache=node_a) == ratelimit.attempts_get(key, cache=node_b) == 102
        # Each attempt keeps the counter for its window again.
        raw = conn.keys(f"{prefix}:*{key}")
        assert len(raw) == 1 and 3590 < conn.ttl(raw[0]) <= 3600
        names = {c.get("name") for c in conn.client_list()}
        assert {"shequ-node-a", "shequ-node-b"} <= names  # two separate clients, as two machines have
        ratelimit.attempts_reset(key, cache=node_b)
        assert ratelimit.attempts_get(key, cache=node_a) == 0
    finally:
        node_a.delete(key)


@pytest.mark.redis
@pytest.mark.django_db
def test_the_public_review_guessing_limit_holds_across_nodes(settings, tree, personas, client):
    """The real page on a node whose default cache is Redis: guesses counted there and on another node's client
    add up, and the limit refuses even the right code once they reach it."""
    conn = _redis_or_skip()
    from shequ.acceptance.models import Review
    from shequ.acceptance.testing import build_centre
    from shequ.acceptance.tests.conftest import intake
    from shequ.acceptance.views.reviews import LOOKUP_LIMIT

    prefix = f"shequ-test-{uuid.uuid4().hex[:12]}"
    caches = sharedstate.cache_settings({"REDIS_URL": REDIS_URL})
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    other_node = _node_cache("shequ-node-b", prefix)
    case = intake(build_centre(tree, personas))
    form = {"number": case.number, "check_code": case.check_code, "score": 5}
    wrong = {**form, "check_code": "000000" if case.check_code != "000000" else "111111"}
    try:
        for _ in range(LOOKUP_LIMIT - 1):
            assert "办件编号或查询码不正确" in client.post("/acceptance/review/", wrong).content.decode()
        stored = [k.decode() for k in conn.keys(f"{prefix}:*acceptance:review-lookup:*")]
        assert len(stored) == 1
        key = stored[0].split(":", 2)[2]
        assert ratelimit.attempts_get(key, cache=other_node) == LOOKUP_LIMIT - 1
        ratelimit.attempt_record(key, 900, cache=other_node)  # the last wrong guess reached the other node
        page = client.post("/acceptance/review/", form).content.decode()
        assert "尝试次数过多" in page and not Review.objects.exists()
    finally:
        for k in conn.keys(f"{prefix}:*"):
            conn.delete(k)


def test_a_rate_limit_counter_expires_and_restarts_on_the_database_cache(db):
    import time_machine
    from django.core.cache import cache
    from django.utils import timezone

    key = f"test:{uuid.uuid4().hex}"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert [ratelimit.attempt_record(key, 600) for _ in range(3)] == [1, 2, 3]
        clock.shift(500)
        assert ratelimit.attempt_record(key, 600) == 4  # kept 600 s after the latest attempt, not the first
        clock.shift(500)
        assert ratelimit.attempts_get(key) == 4
        clock.shift(101)
        assert ratelimit.attempts_get(key) == 0 and ratelimit.attempt_record(key, 600) == 1
    cache.delete(key)


def test_no_module_keeps_request_state_in_the_per_process_cache():
    """The "local" cache is per process: nothing that counts, locks or remembers a client may use it."""
    root = Path(settings.BASE_DIR) / "shequ"
    users = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if "/tests/" not in str(p) and 'caches["local"]' in p.read_text(encoding="utf-8")]
    assert users == []
