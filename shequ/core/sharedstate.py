"""What several app nodes share, read from the environment: the cache and the file storages.

`shequ/settings.py` calls these once; they only read the mapping they are given, so a test can pass any
environment. A gunicorn node keeps nothing a request needs later on its own memory or disk: sessions, lockouts,
numbering, idempotency records, jobs and the task queue are database rows; rate-limit counters and cached figures
live in the default cache (Redis, or the database cache of the one-machine install); uploaded files go through a
Django storage (a path every node mounts, or an S3-compatible service). docs/OPERATIONS.md "Several app nodes".
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

CACHE_BACKENDS = ("database", "redis")
FILE_STORAGES = ("filesystem", "s3")

DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shequ_cache"}
LOCAL_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shequ"}


def _choice(environ: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (environ.get(name) or default).strip().lower()
    if value not in allowed:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def cache_backend(environ: Mapping[str, str]) -> str:
    """`CACHE_BACKEND` when set; otherwise Redis when `REDIS_URL` is set (a deployment with Redis has several
    nodes), the database cache when it is not (one machine, nothing else to run)."""
    default = "redis" if (environ.get("CACHE_REDIS_URL") or environ.get("REDIS_URL")) else "database"
    return _choice(environ, "CACHE_BACKEND", CACHE_BACKENDS, default)


def cache_settings(environ: Mapping[str, str]) -> dict:
    """CACHES: "default" is shared by every process of every node; "local" is per process, only for memoising
    what never needs sharing (nothing that counts, locks or remembers a client)."""
    if cache_backend(environ) == "database":
        return {"default": dict(DATABASE_CACHE), "local": dict(LOCAL_CACHE)}
    url = environ.get("CACHE_REDIS_URL") or environ.get("REDIS_URL") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "CACHE_BACKEND=redis needs CACHE_REDIS_URL or REDIS_URL (redis://host:6379/1), "
            f"got {url!r}")
    timeout = environ.get("CACHE_REDIS_TIMEOUT") or "2"
    try:
        seconds = float(timeout)
    except ValueError as exc:
        raise ImproperlyConfigured(f"CACHE_REDIS_TIMEOUT must be a number of seconds, got {timeout!r}") from exc
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "shequ",
            # A Redis that does not answer is an error, never a silently empty cache: a rate limit that forgot
            # its counters would let guessing through.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": seconds, "SOCKET_TIMEOUT": seconds},
        },
        "local": dict(LOCAL_CACHE),
    }


def _s3_options(environ: Mapping[str, str], *, bucket_var: str, bucket_default: str, prefix: str) -> dict:
    bucket = environ.get(bucket_var) or bucket_default
    if not bucket:
        raise ImproperlyConfigured(f"S3 storage needs {bucket_var} (the bucket's name)")
    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        # Files are served by Shequ's own views after its permission checks, never by a public bucket URL.
        "default_acl": "private",
        "querystring_auth": True,
        # Two uploads of the same name get two objects, as on the filesystem.
        "file_overwrite": False,
    }
    for option, name in (("endpoint_url", "AWS_S3_ENDPOINT_URL"), ("region_name", "AWS_S3_REGION_NAME"),
                         ("addressing_style", "AWS_S3_ADDRESSING_STYLE")):
        if environ.get(name):
            options[option] = environ[name]
    # Credentials: AWS_S3_ACCESS_KEY_ID / AWS_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
    # or the machine's role) are read from the environment by django-storages and boto3 themselves, so they
    # never appear in the settings.
    return options


def storage_settings(environ: Mapping[str, str], *, staticfiles_backend: str) -> dict:
    """STORAGES: "default" holds uploaded files (photos, documents), "private" the files never served (encrypted
    import uploads, assessment evidence)."""
    media = _choice(environ, "MEDIA_STORAGE", FILE_STORAGES, "filesystem")
    private = _choice(environ, "PRIVATE_STORAGE", FILE_STORAGES, media)
    storages = {"staticfiles": {"BACKEND": staticfiles_backend}}
    if media == "s3":
        storages["default"] = {"BACKEND": "storages.backends.s3.S3Storage",
                               "OPTIONS": _s3_options(environ, bucket_var="AWS_STORAGE_BUCKET_NAME",
                                                      bucket_default="",
                                                      prefix=environ.get("AWS_S3_MEDIA_PREFIX", "media"))}
    else:
        # No LOCATION: the storage follows MEDIA_ROOT (the tests move it).
        storages["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if private == "s3":
        storages["private"] = {"BACKEND": "storages.backends.s3.S3Storage",
                               "OPTIONS": _s3_options(environ, bucket_var="AWS_PRIVATE_BUCKET_NAME",
                                                      bucket_default=environ.get("AWS_STORAGE_BUCKET_NAME", ""),
                                                      prefix=environ.get("AWS_S3_PRIVATE_PREFIX", "private"))}
    else:
        storages["private"] = {"BACKEND": "shequ.core.storage.PrivateFileSystemStorage"}
    if media == private == "s3":
        where = [(s["OPTIONS"]["bucket_name"], s["OPTIONS"]["location"]) for s in
                 (storages["default"], storages["private"])]
        if where[0] == where[1]:
            raise ImproperlyConfigured("private files need their own bucket (AWS_PRIVATE_BUCKET_NAME) or prefix "
                                       "(AWS_S3_PRIVATE_PREFIX), apart from the media files")
    return storages
