"""API core: token authentication, the one error format, schema and docs, and the Chinese error pages."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from shequ.core.choices import AuditAction
from shequ.core.models import ApiToken, AuditLog
from shequ.core.testing import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def _obtain(username, password=PASSWORD, client=None):
    return (client or APIClient()).post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _with_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _assert_error_format(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    for field, messages in body["errors"].items():
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages), field
    return body


# --- tokens -------------------------------------------------------------------------------------------------------

def test_it_issues_a_token_usable_on_the_api(personas):
    response = _obtain("dunhua")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_in"}
    assert body["expires_in"] == settings.API_TOKEN_TTL_HOURS * 3600
    me = _with_token(body["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json() == {"username": "dunhua", "name": "测试dunhua", "role": "committee_worker",
                         "scope": ["310110015001"]}
    # only a hash is stored
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()
    assert ApiToken.objects.filter(user=personas["dunhua"]).count() == 1
    row = AuditLog.objects.get(action=AuditAction.LOGIN, detail__channel="api_token")
    assert row.username == "dunhua"


def test_it_keeps_tokens_separate_per_user(personas):
    a = _obtain("dunhua").json()["token"]
    b = _obtain("kongjiang").json()["token"]
    assert a != b
    assert _with_token(b).get("/api/v1/me/").json()["username"] == "kongjiang"


def test_it_refuses_a_wrong_password_in_the_error_format(personas):
    body = _assert_error_format(_obtain("dunhua", "wrong-password"), 400)
    assert body["errors"]["non_field_errors"] == ["账号或密码错误。"]
    assert not ApiToken.objects.exists()
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, username="dunhua").exists()


def test_it_refuses_an_unknown_account_like_a_wrong_password(db):
    body = _assert_error_format(_obtain("nobody", "wrong-password"), 400)
    assert body["errors"]["non_field_errors"] == ["账号或密码错误。"]


def test_it_refuses_missing_and_over_long_credentials_with_field_errors(db):
    body = _assert_error_format(APIClient().post(TOKEN_URL, {}, format="json"), 400)
    assert set(body["errors"]) == {"username", "password"}
    body = _assert_error_format(APIClient().post(TOKEN_URL, {"username": "a" * 151, "password": "x"},
                                                 format="json"), 400)
    assert "username" in body["errors"]
    body = _assert_error_format(APIClient().post(TOKEN_URL, {"username": ["dunhua"], "password": {"a": 1}},
                                                 format="json"), 400)
    assert {"username", "password"} <= set(body["errors"])


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_it_refuses_a_token_to_administrators_who_need_a_second_factor(personas, who):
    body = _assert_error_format(_obtain(who), 400)
    assert "动态口令" in body["detail"]
    assert not ApiToken.objects.filter(user=personas[who]).exists()


def test_it_refuses_a_token_to_a_deactivated_account(personas):
    personas["dunhua"].is_active = False
    personas["dunhua"].save()
    _assert_error_format(_obtain("dunhua"), 400)
    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_to_an_account_past_its_validity(personas):
    dunhua = personas["dunhua"]
    dunhua.valid_until = timezone.localdate()
    dunhua.save()
    key = _obtain("dunhua").json()["token"]  # the last valid day still counts
    dunhua.valid_until = timezone.localdate() - dt.timedelta(days=1)
    dunhua.save()
    body = _assert_error_format(_obtain("dunhua"), 400)
    assert "有效期" in body["detail"]
    assert ApiToken.objects.filter(user=dunhua).count() == 1
    _assert_error_format(_with_token(key).get("/api/v1/me/"), 401)


def test_it_refuses_an_expired_token(personas):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        key = _obtain("dunhua").json()["token"]
        api = _with_token(key)
        assert api.get("/api/v1/me/").status_code == 200
        traveller.shift(dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS, seconds=1))
        response = api.get("/api/v1/me/")
        body = _assert_error_format(response, 401)
        assert "过期" in body["detail"]
        assert response["WWW-Authenticate"].startswith("Token")


def test_it_refuses_an_unknown_token(db):
    body = _assert_error_format(_with_token("not-a-real-token").get("/api/v1/me/"), 401)
    assert "令牌无效" in body["detail"]


def test_it_refuses_anonymous_api_calls_with_401(db):
    response = APIClient().get("/api/v1/me/")
    _assert_error_format(response, 401)
    assert "WWW-Authenticate" in response


def test_it_accepts_the_session_on_the_api(api_as, personas):
    assert api_as(personas["clerk"]).get("/api/v1/me/").json()["username"] == "clerk"


# --- the error format ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ['{"username": "dunhua", "password": ', "not json at all", '["a", ]'])
def test_it_answers_400_for_a_malformed_json_body(personas, body):
    response = APIClient().post(TOKEN_URL, body, content_type="application/json")
    result = _assert_error_format(response, 400)
    assert "JSON" in result["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint/", "/api/nothing", "/api/v1/calendar/"])
def test_it_answers_404_in_json_for_an_unknown_api_url(api_as, personas, path):
    for client in (APIClient(), api_as(personas["clerk"])):
        body = _assert_error_format(client.get(path), 404)
        assert body["detail"] == "未找到。"


def test_it_answers_405_in_the_error_format(db):
    _assert_error_format(APIClient().get(TOKEN_URL), 405)


def test_it_never_lets_api_answers_be_cached(api_as, personas):
    response = api_as(personas["clerk"]).get("/api/v1/me/")
    assert response["Cache-Control"] == "no-store"


# --- schema and docs --------------------------------------------------------------------------------------------------

def test_it_renders_the_openapi_schema(db):
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/calendar/add-working-days"):
        assert path in paths, sorted(paths)
    params = {p["name"] for p in paths["/api/v1/calendar/add-working-days"]["get"]["parameters"]}
    assert {"start", "days"} <= params
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "Error" in schema["components"]["schemas"]


def test_the_schema_generates_without_a_warning(db):
    # The deployment check fails on any schema warning (a colliding component or enum name, an untyped path
    # parameter): each one means a client generated from the schema gets a wrong or unstable type.
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    GENERATOR_STATS.silent = True
    try:
        SchemaGenerator().get_schema(request=None, public=True)
        warnings = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    finally:
        GENERATOR_STATS.silent = False
        GENERATOR_STATS.reset()
    assert warnings == []


def _asset_urls(html):
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_it_serves_the_api_docs_with_local_assets_only(db, path):
    c = Client()
    response = c.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "an external asset is referenced"
    assert "cdn" not in html.lower()
    urls = _asset_urls(html)
    assert urls, "no assets at all?"
    for url in urls:
        if url.startswith("/static/"):
            asset = c.get(url)
            assert asset.status_code == 200, url
            if hasattr(asset, "streaming_content"):
                b"".join(asset.streaming_content)
                asset.close()


# --- error pages ------------------------------------------------------------------------------------------------

def test_it_shows_a_chinese_404_page(client_as, personas):
    for client in (Client(), client_as(personas["clerk"])):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "未找到该页面或记录" in html and 'lang="zh-CN"' in html


def test_it_shows_a_chinese_403_page(client_as, personas):
    response = client_as(personas["clerk"]).get("/users/")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_it_shows_a_chinese_page_for_a_csrf_failure(personas):
    c = Client(enforce_csrf_checks=True)
    response = c.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.urls("shequ.core.tests.boom_urls")
def test_it_shows_a_chinese_500_page(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时出错" in html
    assert "Traceback" not in html and "RuntimeError" not in html


@pytest.mark.urls("shequ.core.tests.boom_urls")
def test_it_shows_a_chinese_400_page(db):
    response = Client(raise_request_exception=False).get("/suspicious/")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


@pytest.mark.urls("shequ.core.tests.boom_urls")
@pytest.mark.parametrize("path, status, detail", [
    ("/api/v1/boom/", 500, "服务器内部错误"),
    ("/api/v1/forbidden/", 403, "没有执行该操作的权限"),
    ("/api/v1/suspicious/", 400, "请求无效"),
])
def test_it_answers_errors_under_api_in_json(db, path, status, detail):
    response = Client(raise_request_exception=False).get(path)
    body = _assert_error_format(response, status)
    assert detail in body["detail"]
    assert "Traceback" not in response.content.decode()
