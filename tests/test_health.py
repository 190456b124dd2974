import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_reports_the_database_and_the_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.REDIS_URL else "in-process")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from attendance_site.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_live_answers_without_touching_any_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_checks_the_database_the_broker_and_the_storage(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    assert response.json()["storage"] == "ok"
    assert client.get("/healthz").json() == response.json()  # the former name


@pytest.mark.django_db
def test_ready_answers_503_naming_an_unwritable_media_folder(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["storage"].startswith("error") and body["database"] == "ok"


@pytest.mark.django_db
def test_ready_checks_the_s3_bucket(client, s3_media, settings):
    assert client.get("/health/ready").json()["storage"] == "ok"
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = {**settings.STORAGES}  # the storage is made again from the settings
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error")
