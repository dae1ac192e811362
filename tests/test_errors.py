"""Server errors answer a friendly page (JSON under /api/) with a reference that the log carries with the traceback."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from workup.urls import handler500  # noqa: F401 - this module is the URLconf of these tests
from workup.urls import urlpatterns as app_urlpatterns

pytestmark = pytest.mark.django_db
SECRET_DETAIL = "kaboom-secret-detail-42"
REFERENCE = re.compile(r"\b[0-9A-F]{8}\b")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError(f"connection refused {SECRET_DETAIL}")


urlpatterns = [
    path("broken/", broken),
    path("database-down/", database_down),
    path("api/v1/broken", broken),
    *app_urlpatterns,
]


@pytest.fixture
def app(settings: Any) -> Client:
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def logged_with_traceback(caplog: pytest.LogCaptureFixture, reference: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if reference in r.getMessage() and r.exc_info and r.exc_info[0]]


def test_an_exception_answers_a_friendly_500_with_time_and_reference(
    app: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = app.get("/broken/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "Time" in body
    reference = response["X-Error-Reference"]
    assert REFERENCE.fullmatch(reference) and f'<code id="error-reference">{reference}</code>' in body
    assert "Traceback" not in body and SECRET_DETAIL not in body and "RuntimeError" not in body
    [record] = logged_with_traceback(caplog, reference)
    assert record.exc_info and str(record.exc_info[1]) == SECRET_DETAIL


def test_the_traceback_is_logged_once(app: Client, caplog: pytest.LogCaptureFixture) -> None:
    app.get("/broken/")
    assert len([r for r in caplog.records if r.exc_info and r.exc_info[0]]) == 1


def test_each_error_gets_its_own_reference(app: Client) -> None:
    assert app.get("/broken/")["X-Error-Reference"] != app.get("/broken/")["X-Error-Reference"]


def test_a_database_outage_answers_503_with_retry_after(app: Client, caplog: pytest.LogCaptureFixture) -> None:
    response = app.get("/database-down/")
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "temporarily unavailable" in body and SECRET_DETAIL not in body and "Traceback" not in body
    assert logged_with_traceback(caplog, response["X-Error-Reference"])


def test_api_errors_are_json_with_the_reference(app: Client, caplog: pytest.LogCaptureFixture) -> None:
    response = app.get("/api/v1/broken")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    [error] = response.json()["errors"]
    reference = response["X-Error-Reference"]
    assert error["path"] == "(request)" and reference in error["message"]
    assert SECRET_DETAIL not in response.content.decode()
    assert logged_with_traceback(caplog, reference)


def test_the_page_still_answers_when_the_static_manifest_is_missing(app: Client, settings: Any, tmp_path: Any) -> None:
    """The first production failure: no manifest, so {% static %} itself raises while rendering the error page."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    response = app.get("/broken/")
    assert response.status_code == 500 and response["Content-Type"].startswith("text/plain")
    assert response["X-Error-Reference"] in response.content.decode()
    assert SECRET_DETAIL not in response.content.decode()


def test_not_found_is_still_a_plain_404(app: Client) -> None:
    response = app.get("/no-such-page/")
    assert response.status_code == 404 and "X-Error-Reference" not in response
