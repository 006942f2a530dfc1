"""Sign-up with an SMS code, real-name binding to the registry, and acting for household members."""

import pytest
from django.test import override_settings

from shequ.core.errors import ConflictError, DomainError
from shequ.core.logins import login_name
from shequ.core.messaging import MemoryMessageBackend
from shequ.people.models import Resident
from shequ.portal import selectors, services

from .conftest import make_account

MEMORY = "shequ.core.messaging.MemoryMessageBackend"


def _last_code() -> str:
    body = MemoryMessageBackend.outbox[-1]["body"]
    return "".join(ch for ch in body if ch.isdigit())[:6]


@pytest.fixture
def outbox():
    MemoryMessageBackend.outbox.clear()
    with override_settings(SHEQU_MESSAGE_BACKEND=MEMORY):
        yield MemoryMessageBackend.outbox


@pytest.mark.django_db(transaction=True)
def test_it_signs_up_with_the_sms_code_and_logs_in(tree, outbox, client):
    response = client.post("/m/signup/code/", {"phone": "13912345678"})
    assert "验证码已发送" in response.content.decode()
    assert outbox[-1]["to"] == "13912345678"
    response = client.post("/m/signup/", {"phone": "13912345678", "code": _last_code(),
                                          "password": "Qiang#2026pass", "password2": "Qiang#2026pass"})
    assert response.status_code == 302 and response["Location"] == "/m/bind/"
    account = services.ResidentAccount.objects.get(user__username=login_name("13912345678"))
    assert account.user.role == "resident" and account.phone_masked.startswith("139") and not account.is_bound
    assert "13912345678" not in account.user.username and account.user.full_name == "139****5678"
    assert client.get("/m/").status_code == 200
    client.post("/accounts/logout/")
    again = client.post("/m/login/", {"username": "13912345678", "password": "Qiang#2026pass"})
    assert again.status_code == 302 and client.get("/m/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_wrong_code_and_locks_the_code_after_five_guesses(tree, outbox):
    services.sms_code_send(phone="13912345678")
    code = _last_code()
    for _i in range(5):
        with pytest.raises(DomainError):
            services.account_signup(phone="13912345678", code="000000" if code != "000000" else "111111",
                                    password="Qiang#2026pass")
    with pytest.raises(DomainError):  # the right code no longer works after five wrong guesses
        services.account_signup(phone="13912345678", code=code, password="Qiang#2026pass")


@pytest.mark.django_db(transaction=True)
def test_it_rate_limits_codes_and_refuses_a_second_account_for_one_number(tree, outbox):
    services.sms_code_send(phone="13912345678")
    with pytest.raises(DomainError, match="秒后再试"):
        services.sms_code_send(phone="13912345678")
    services.account_signup(phone="13912345678", code=_last_code(), password="Qiang#2026pass")
    services.SmsCode.objects.update(created_at=services.timezone.now() - services.dt.timedelta(minutes=5))
    services.sms_code_send(phone="13912345678")
    with pytest.raises(ConflictError):
        services.account_signup(phone="13912345678", code=_last_code(), password="Qiang#2026pass")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_bad_phone_and_a_weak_password(tree, outbox):
    with pytest.raises(DomainError, match="手机号"):
        services.sms_code_send(phone="12345")
    services.sms_code_send(phone="13912345678")
    with pytest.raises(DomainError, match="密码"):
        services.account_signup(phone="13912345678", code=_last_code(), password="123")


@pytest.mark.django_db
def test_it_binds_with_name_and_id_number_and_records_consent(family):
    account = make_account("me", family["head"])
    assert account.resident == family["head"] and account.consent_version and account.bound_at
    assert account.user.full_name == "王建国"


@pytest.mark.django_db
def test_it_gives_one_answer_for_a_wrong_name_and_an_unknown_number(family):
    from shequ.core.testing import valid_id_number

    account = make_account("me")
    number = Resident.objects.get(pk=family["head"].pk).id_number
    with pytest.raises(DomainError) as wrong_name:
        services.account_bind(account=account, name="王建军", id_number=number, consent=True)
    with pytest.raises(DomainError) as unknown:
        services.account_bind(account=account, name="王建国", id_number=valid_id_number(), consent=True)
    assert wrong_name.value.message == unknown.value.message
    assert wrong_name.value.errors == unknown.value.errors
    account.refresh_from_db()
    assert not account.is_bound


@pytest.mark.django_db
def test_it_refuses_a_bad_check_digit_and_binding_without_consent(family):
    account = make_account("me")
    number = Resident.objects.get(pk=family["head"].pk).id_number
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(DomainError, match="校验位"):
        services.account_bind(account=account, name="王建国", id_number=bad, consent=True)
    with pytest.raises(DomainError) as exc:
        services.account_bind(account=account, name="王建国", id_number=number, consent=False)
    assert "consent" in exc.value.errors


@pytest.mark.django_db
def test_it_limits_binding_guesses(family):
    from shequ.core.testing import valid_id_number

    account = make_account("me")
    for _i in range(5):
        with pytest.raises(DomainError):
            services.account_bind(account=account, name="王建国", id_number=valid_id_number(), consent=True)
    number = Resident.objects.get(pk=family["head"].pk).id_number
    with pytest.raises(DomainError, match="失败次数过多"):
        services.account_bind(account=account, name="王建国", id_number=number, consent=True)


@pytest.mark.django_db
def test_it_refuses_binding_a_resident_already_bound_to_another_account(family):
    make_account("me", family["head"])
    with pytest.raises(ConflictError):
        make_account("me2", family["head"])


@pytest.mark.django_db
def test_it_unbinds_when_consent_is_withdrawn(me):
    services.account_unbind(account=me)
    me.refresh_from_db()
    assert not me.is_bound and me.consent_at is None


@pytest.mark.django_db
def test_it_lets_an_adult_act_for_his_parent_but_not_his_sibling(family, me):
    names = [r.name for r in selectors.actable_residents(account=me)]
    assert "王老伯" in names and "王小宝" in names
    assert "王建红" not in names and "李邻居" not in names


@pytest.mark.django_db
def test_it_lets_nobody_act_through_a_sibling_a_minor_or_an_unbound_account(family):
    assert selectors.actable_residents(account=make_account("sister", family["sister"])) == []
    assert selectors.actable_residents(account=make_account("minor", family["grandson"])) == []
    assert selectors.actable_residents(account=make_account("unbound")) == []
    with pytest.raises(DomainError):
        selectors.actable_resident(account=make_account("sister2"), resident_id=family["father"].pk)
