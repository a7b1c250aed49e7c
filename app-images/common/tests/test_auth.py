from fastapi_common.auth import KeyStore


def write_keys(root, caller, current, previous):
    directory = root / caller
    directory.mkdir(parents=True)
    (directory / "current").write_text(current + "\n")
    (directory / "previous").write_text(previous)


def test_both_slots_of_every_caller_are_accepted_and_nothing_else(tmp_path):
    write_keys(tmp_path, "frontend", "key-new", "key-old")
    write_keys(tmp_path, "worker", "key-worker", "key-worker-old")
    store = KeyStore(tmp_path)
    # As the route class presents them: the header's bytes, as the client sent them.
    for key in [b"key-new", b"key-old", b"key-worker", b"key-worker-old"]:
        assert store.accepts(key)
    for key in [None, b"", b"key", b"key-new ", b"KEY-NEW", b"key-new\xff", "key-néw".encode("latin-1")]:
        assert not store.accepts(key)


def test_no_configured_keys_refuses_everything(tmp_path):
    assert not KeyStore(None).accepts(b"anything")
    assert not KeyStore(tmp_path / "missing").accepts(b"anything")


def test_a_rotated_key_is_picked_up_without_restart(tmp_path):
    write_keys(tmp_path, "frontend", "first", "zero")
    store = KeyStore(tmp_path, reload_seconds=0)
    assert store.accepts(b"first")
    (tmp_path / "frontend" / "current").write_text("second")
    (tmp_path / "frontend" / "previous").write_text("first")
    assert store.accepts(b"second") and store.accepts(b"first") and not store.accepts(b"zero")


def keyed_app(keys_dir):
    """A service app whose /api router is key-protected, with a body the route would validate."""
    from fastapi import APIRouter
    from pydantic import BaseModel

    from fastapi_common.app import create_service_app
    from fastapi_common.auth import key_protected
    from fastapi_common.settings import ServiceSettings

    class Note(BaseModel):
        title: str

    app = create_service_app(ServiceSettings(api_keys_dir=keys_dir), title="keyed")
    api = APIRouter(prefix="/api", route_class=key_protected())

    @api.post("/notes", status_code=201)
    async def add(note: Note) -> dict[str, str]:
        return {"title": note.title}

    app.include_router(api)
    return app


def test_a_key_protected_route_refuses_before_reading_or_validating_the_body(tmp_path):
    from fastapi.testclient import TestClient

    write_keys(tmp_path, "frontend", "key-new", "key-old")
    with TestClient(keyed_app(tmp_path)) as client:
        for key in (None, "", "guess", "KEY-NEW"):
            headers = {} if key is None else {"X-API-Key": key}
            # A body that would fail validation: the refusal comes first and says nothing more.
            refused = client.post("/api/notes", json={"wrong": 1}, headers=headers)
            assert (refused.status_code, refused.json()) == (401, {"detail": "unauthorized"}), key
        for key in ("key-new", "key-old"):
            accepted = client.post("/api/notes", json={"title": "t"}, headers={"X-API-Key": key})
            assert (accepted.status_code, accepted.json()) == (201, {"title": "t"})
        assert client.post("/api/notes", json={"wrong": 1}, headers={"X-API-Key": "key-new"}).status_code == 422
        assert client.get("/livez").status_code == 200, "routes outside the protected router need no key"
