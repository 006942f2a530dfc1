import json

from django.test import Client


def test_it_answers_the_bare_ping_without_a_login_or_the_database(db, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        response = client.get("/healthz/ping")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    # It goes through the whole middleware stack like every other page.
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
