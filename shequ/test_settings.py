"""Settings for the test suite: the production settings with development secrets and fast hashing."""

import os

os.environ.setdefault("SHEQU_DEV_SECRETS", "1")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SHEQU_PLAIN_STATIC", "1")

from shequ.core import sharedstate  # noqa: E402
from shequ.settings import *  # noqa: E402,F401,F403

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
SHEQU_PRIVATE_ROOT = BASE_DIR / "var" / "test-private"
SHEQU_TASK_RETRY_BASE_SECONDS = 30
# Tests issue numbers at any hour of their frozen clocks; the hall-hours tests set the hours they check.
SHEQU_HALL_HOURS = ""
# The suite's cache is the database cache and its files are on the filesystem whatever the environment says
# (.ci/run exports REDIS_URL for the tests marked `redis`): cache rows roll back with each test. The tests of the
# Redis cache and of S3 storage configure their own (shequ/core/tests/test_shared_state.py).
CACHES = sharedstate.cache_settings({"CACHE_BACKEND": "database"})
STORAGES = sharedstate.storage_settings({}, staticfiles_backend=STORAGES["staticfiles"]["BACKEND"])  # noqa: F405
