"""The backend against a real PostgreSQL, as a real process."""

import secrets
import time

import httpx
import pytest

from conftest import wait_until


@pytest.fixture
def backend(services, postgres, keys):
    key = keys.issue("frontend", "backend")
    service = services.start("backend", {**postgres.env(), "API_KEYS_DIR": keys.inbound_dir("backend")}, wait_for="/startupz")
    return service, {"X-API-Key": key}


def test_crud_round_trip(backend):
    service, auth = backend
    with service.client(headers=auth) as http:
        created = http.post("/api/notes", json={"title": "first", "body": "hello"})
        assert created.status_code == 201
        note = created.json()
        assert http.get(f"/api/notes/{note['id']}").json()["body"] == "hello"
        assert note["id"] in [n["id"] for n in http.get("/api/notes").json()]
        updated = http.put(f"/api/notes/{note['id']}", json={"title": "first", "body": "changed"})
        assert updated.status_code == 200 and updated.json()["body"] == "changed"
        assert updated.json()["updated_at"] >= note["updated_at"]
        assert http.delete(f"/api/notes/{note['id']}").status_code == 204
        assert http.get(f"/api/notes/{note['id']}").status_code == 404
        assert http.post("/api/notes", json={"title": ""}).status_code == 422


def test_missing_or_wrong_key_gets_401_without_detail(backend):
    service, _ = backend
    with service.client() as http:
        missing = http.get("/api/notes")
        wrong = http.get("/api/notes", headers={"X-API-Key": "not-the-key"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.json() == wrong.json() == {"detail": "unauthorized"}


def test_previous_key_stays_valid_during_rotation(services, postgres, keys):
    old = keys.issue("frontend", "backend")
    new = keys.issue("frontend", "backend", previous=old)
    service = services.start("backend", {**postgres.env(), "API_KEYS_DIR": keys.inbound_dir("backend")}, wait_for="/startupz")
    with service.client() as http:
        assert http.get("/api/notes", headers={"X-API-Key": old}).status_code == 200
        assert http.get("/api/notes", headers={"X-API-Key": new}).status_code == 200


def test_a_rotated_password_is_read_from_its_file_without_a_restart(backend, postgres):
    """The password changes in the database and its file; the backend's connections are cut, so
    every request after needs a new one: it opens them with the new password, in the same process."""
    service, auth = backend
    original = postgres.password
    try:
        with service.client(headers=auth) as http:
            assert http.post("/api/notes", json={"title": "before rotation"}).status_code == 201
            postgres.rotate_password(secrets.token_urlsafe(24))
            cut = postgres.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'backend'; SELECT now()")
            rotated_at = cut.strip().splitlines()[-1]
            assert http.post("/api/notes", json={"title": "after rotation"}).status_code == 201
            assert "after rotation" in [n["title"] for n in http.get("/api/notes", params={"limit": 500}).json()]
            fresh = postgres.sql(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'backend' AND backend_start > '{rotated_at}'")
            assert int(fresh) >= 1, "the requests ran on connections opened after the rotation"
        assert service.process.poll() is None, "the same process serves"
    finally:
        postgres.rotate_password(original)


def test_readiness_follows_the_database_while_liveness_stays_up(backend, postgres):
    service, _ = backend
    with service.client() as http:
        assert http.get("/readyz").status_code == 200
        postgres.stop()
        try:
            wait_until(lambda: http.get("/readyz").status_code == 503, 10, "readyz to turn 503")
            body = http.get("/readyz").json()
            assert body["failed"] == ["database"]
            assert http.get("/livez").status_code == 200
        finally:
            postgres.start()
        wait_until(lambda: http.get("/readyz").status_code == 200, 20, "readyz to recover")
        assert http.get("/livez").status_code == 200


def test_data_survives_a_backend_restart(services, postgres, keys):
    key = keys.issue("frontend", "backend")
    env = {**postgres.env(), "API_KEYS_DIR": keys.inbound_dir("backend")}
    first = services.start("backend", env, wait_for="/startupz")
    with first.client(headers={"X-API-Key": key}) as http:
        note = http.post("/api/notes", json={"title": "durable", "body": f"written at {time.time()}"}).json()
    first.terminate()
    second = services.start("backend", env, wait_for="/startupz")
    with second.client(headers={"X-API-Key": key}) as http:
        assert http.get(f"/api/notes/{note['id']}").json() == note


def test_openapi_documents_the_notes_api(backend):
    service, _ = backend
    paths = httpx.get(f"{service.url}/openapi.json").json()["paths"]
    assert {"/api/notes", "/api/notes/{note_id}", "/api/insights"} <= set(paths)
