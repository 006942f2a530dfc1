"""Read replicas: which database a read goes to (the router), the client pinned to the primary after its write
(the middleware), the fall-back when a replica is down, lags or fails under a request, and the operations page.

The suite has no streaming replica: the replica aliases are mirrors of the test database (`TEST.MIRROR`), so
reads land on the same data, and the routing decision is what is asserted. With no replica configured (SQLite,
a single PostgreSQL) the router stays out of the way."""

import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.test import Client, override_settings
from django.urls import path

from shequ.core import dbrouter
from shequ.core.middleware import PRIMARY_PIN_COOKIE
from shequ.core.models import IdempotencyKey, Node, User
from shequ.people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def replicas(monkeypatch):
    """Two replica aliases that mirror the default connection; their measured lag is under the test's control."""
    lags = {"replica1": 0.5, "replica2": 0.5}
    for alias in lags:
        connections.databases[alias] = {**connections.databases["default"], "TEST": {"MIRROR": "default"}}
    monkeypatch.setattr(dbrouter, "measure_lag", lambda alias: lags[alias])
    dbrouter._health.clear()
    with override_settings(DATABASE_REPLICAS=list(lags), DATABASE_REPLICA_MAX_LAG=10):
        yield lags
    dbrouter._health.clear()
    for alias in lags:
        connections[alias].close() if alias in connections.databases else None
        connections.databases.pop(alias, None)


def test_without_replicas_the_router_leaves_every_read_and_write_to_default():
    assert settings.DATABASE_REPLICAS == [] or settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    with override_settings(DATABASE_REPLICAS=[]), dbrouter.replica_reads():
        assert router.db_for_read(Resident) == "default"  # None from the router: Django's default
        assert router.db_for_write(Resident) == "default"


def test_a_safe_context_reads_a_replica_and_a_write_sends_the_rest_to_the_primary(replicas):
    with dbrouter.replica_reads() as state:
        first = router.db_for_read(Resident)
        assert first in replicas
        assert router.db_for_read(Node) == first  # one request reads one replica
        assert router.db_for_write(Resident) == "default"
        assert state.wrote and router.db_for_read(Resident) == "default"


def test_outside_a_request_and_inside_a_transaction_reads_stay_on_the_primary(replicas):
    assert router.db_for_read(Resident) == "default"  # a task or a command, not marked
    with dbrouter.replica_reads(eligible=False):
        assert router.db_for_read(Resident) == "default"  # an unsafe request
    with dbrouter.replica_reads(), transaction.atomic():
        assert router.db_for_read(Resident) == "default"


@pytest.mark.parametrize("model", [User, IdempotencyKey])
def test_coordination_tables_are_always_read_on_the_primary(replicas, model):
    with dbrouter.replica_reads():
        assert router.db_for_read(model) == "default"


def test_a_lagging_or_unreachable_replica_is_skipped_and_none_left_means_the_primary(replicas):
    replicas["replica1"] = 30.0  # behind more than the bound
    with dbrouter.replica_reads():
        assert router.db_for_read(Resident) == "replica2"
    dbrouter._health.clear()
    replicas["replica2"] = None  # down
    with dbrouter.replica_reads():
        assert router.db_for_read(Resident) == "default"


def test_a_replica_found_down_is_not_measured_again_until_its_pause_is_over(replicas, monkeypatch):
    calls = []
    monkeypatch.setattr(dbrouter, "measure_lag", lambda alias: calls.append(alias))  # None: down
    for _ in range(3):
        dbrouter.replica_lag("replica1")
    assert calls == ["replica1"]


def test_migrations_run_on_the_primary_only(replicas):
    assert router.allow_migrate("default", "people")
    assert not router.allow_migrate("replica1", "people")


def test_the_lag_query_answers_on_a_server_that_is_not_in_recovery():
    if connections["default"].vendor != "postgresql":
        pytest.skip("replication lag is measured on PostgreSQL only")
    # The default server is a primary: nothing to wait for.
    assert dbrouter.measure_lag("default") == 0.0


def test_a_write_pins_the_client_to_the_primary_and_a_read_does_not(replicas):
    c = Client()
    r = c.get("/healthz/ping")
    assert PRIMARY_PIN_COOKIE not in r.cookies
    r = c.post("/accounts/logout/")
    assert r.cookies[PRIMARY_PIN_COOKIE]["max-age"] == settings.DATABASE_PRIMARY_PIN_SECONDS


def _spy_reads(monkeypatch) -> list:
    """Records where the router sends each read; the reads themselves go through the test's own connection."""
    seen = []
    real = dbrouter.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(real(self, model, **hints))
        return "default"

    monkeypatch.setattr(dbrouter.ReplicaRouter, "db_for_read", spy)
    return seen


def test_a_pinned_client_reads_the_primary(replicas, monkeypatch):
    seen = _spy_reads(monkeypatch)
    c = Client()
    c.get("/cockpit/public/")
    assert any(a in replicas for a in seen)
    seen.clear()
    c.cookies[PRIMARY_PIN_COOKIE] = "1"
    c.get("/cockpit/public/")
    assert seen and set(seen) == {"default"}


def test_a_write_to_a_coordination_table_neither_moves_the_request_nor_pins_the_client(replicas, personas,
                                                                                       client_as, monkeypatch):
    from django.contrib.sessions.models import Session

    from shequ.core import services as core
    from shequ.core.models import ApiToken

    with dbrouter.replica_reads() as state:
        assert router.db_for_write(Session) == "default" and router.db_for_write(ApiToken) == "default"
        assert not state.wrote and router.db_for_read(Resident) in replicas
    seen = _spy_reads(monkeypatch)
    # A signed-in page whose session is written (its first last-seen time) reads a replica and pins nothing.
    c = client_as(personas["dunhua"])
    r = c.get("/people/")
    assert r.status_code == 200 and PRIMARY_PIN_COOKIE not in r.cookies
    assert any(a in replicas for a in seen)
    # An API client whose token's last use is written first, during authentication: its list still reads a replica.
    key = core.api_token_issue(user=personas["dunhua"], ttl_hours=1)
    seen.clear()
    r = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/residents/")
    assert r.status_code == 200 and PRIMARY_PIN_COOKIE not in r.cookies
    assert ApiToken.objects.get().last_used_at is not None  # the write did happen
    assert any(a in replicas for a in seen)  # before the fix, the token write sent every read to the primary


_calls = []


def _flaky_view(request):
    """Fails the first time, as a replica killed under the request would."""
    from django.db import OperationalError
    from django.http import HttpResponse

    state = dbrouter._state.get()
    _calls.append(bool(state and state.eligible))
    if state and state.eligible:
        state.used = "replica1"
        raise OperationalError("the replica went away")
    return HttpResponse("ok")


urlpatterns = [path("flaky", _flaky_view)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_replica_that_fails_under_a_safe_request_is_marked_down_and_the_page_served_from_the_primary(replicas):
    _calls.clear()
    r = Client(raise_request_exception=False).get("/flaky")
    assert r.status_code == 200 and r.content == b"ok" and _calls == [True, False]
    assert dbrouter._health["replica1"][1] is None  # left alone for DOWN_SECONDS
    assert "X-Shequ-Read" not in r  # routing is not told to clients unless asked for


@override_settings(ROOT_URLCONF=__name__, DATABASE_READ_HEADER=True)
def test_the_read_header_tells_where_a_request_was_served(replicas):
    _calls.clear()
    assert Client(raise_request_exception=False).get("/flaky")["X-Shequ-Read"] == "primary-retry"
    c = Client()
    assert c.post("/flaky")["X-Shequ-Read"] == "primary"  # not a safe request: the primary from the start


def test_the_operations_page_shows_each_replica_with_its_lag(replicas, personas, client_as, monkeypatch):
    replicas["replica2"] = None  # down
    # The page's own reads stay on the test connection; the card is built from the measured lags.
    monkeypatch.setattr(dbrouter, "healthy_replica", lambda: None)
    page = client_as(personas["sysadmin"]).get("/operations/").content.decode()
    assert "只读副本" in page and "0.5 秒" in page and "无法连接，改读主库" in page and "正常" in page


def test_without_replicas_the_operations_page_has_no_replica_card(personas, client_as):
    page = client_as(personas["sysadmin"]).get("/operations/").content.decode()
    assert "只读副本" not in page
