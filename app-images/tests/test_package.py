"""fastapi_common is a package others can install (app-images/pyproject.toml): it installs with
its type marker, imports from where it was installed rather than from this tree, and declares the
dependencies its modules import."""

import shutil
import subprocess
import sys
import tomllib

from conftest import APP_IMAGES


def test_fastapi_common_installs_with_its_type_marker(tmp_path):
    # From a copy: pip builds in the source tree, and build output under app-images/common would
    # change the images' content tags.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(APP_IMAGES / "pyproject.toml", source / "pyproject.toml")
    shutil.copytree(APP_IMAGES / "common" / "fastapi_common", source / "common" / "fastapi_common", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        check=True,
        cwd=tmp_path,
    )
    assert (target / "fastapi_common" / "py.typed").is_file()
    script = "import fastapi_common.app, fastapi_common.downstream; print(fastapi_common.app.__file__)"
    found = subprocess.run([sys.executable, "-c", script], env={"PYTHONPATH": str(target)}, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert found.stdout.strip().startswith(str(target)), found.stdout


def test_the_package_declares_what_common_requirements_list():
    declared = {dep.split("[")[0] for dep in tomllib.loads((APP_IMAGES / "pyproject.toml").read_text())["project"]["dependencies"]}
    listed = {line.split("[")[0].strip() for line in (APP_IMAGES / "common" / "requirements.in").read_text().splitlines() if line.strip()}
    assert declared == listed
