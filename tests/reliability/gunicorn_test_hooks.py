"""gunicorn config used by the reliability tests only (nothing in the product reads it). Each behaviour is off
unless its environment variable is set:

- SHEQU_TEST_PASSWORD_LOG=<file>: every worker appends one line (the username) per password it actually
  checks, so the lockout test can count the guesses that reached the password check.
- SHEQU_TEST_SLOW_REPORT_MS=<ms>: a grid case report sleeps that long at its last step, inside its
  transaction, after its number was allocated; a SIGKILL during a burst then almost surely lands in an open
  transaction, which is the case the crash test is about.

    gunicorn -c tests/reliability/gunicorn_test_hooks.py shequ.wsgi:application
"""

import os
import time


def post_worker_init(worker):  # after the worker has loaded the Django application
    log = os.environ.get("SHEQU_TEST_PASSWORD_LOG")
    if log:
        from django.contrib.auth.base_user import AbstractBaseUser

        check = AbstractBaseUser.check_password

        def counted(self, raw_password):
            with open(log, "a") as out:
                out.write(f"{self.get_username()}\n")
            return check(self, raw_password)

        AbstractBaseUser.check_password = counted

    slow = float(os.environ.get("SHEQU_TEST_SLOW_REPORT_MS") or 0) / 1000
    if slow:
        from shequ.grid import stats

        refresh = stats.refresh_case

        def slowed(*args, **kwargs):
            refresh(*args, **kwargs)
            time.sleep(slow)

        stats.refresh_case = slowed
