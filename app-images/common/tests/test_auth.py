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
    for key in ["key-new", "key-old", "key-worker", "key-worker-old"]:
        assert store.accepts(key)
    for key in [None, "", "key", "key-new ", "KEY-NEW"]:
        assert not store.accepts(key)


def test_no_configured_keys_refuses_everything(tmp_path):
    assert not KeyStore(None).accepts("anything")
    assert not KeyStore(tmp_path / "missing").accepts("anything")


def test_a_rotated_key_is_picked_up_without_restart(tmp_path):
    write_keys(tmp_path, "frontend", "first", "zero")
    store = KeyStore(tmp_path, reload_seconds=0)
    assert store.accepts("first")
    (tmp_path / "frontend" / "current").write_text("second")
    (tmp_path / "frontend" / "previous").write_text("first")
    assert store.accepts("second") and store.accepts("first") and not store.accepts("zero")
