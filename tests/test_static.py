"""Production static files: the real manifest storage collects everything the vendored files refer to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "workup" / "static" / "vendor" / "bootstrap"


def test_every_source_map_that_bootstrap_names_is_vendored() -> None:
    for minified in ("bootstrap.min.css", "bootstrap.bundle.min.js"):
        last_line = (VENDOR / minified).read_text().rstrip().splitlines()[-1]
        map_name = last_line.split("sourceMappingURL=")[1].strip(" */")
        assert json.loads((VENDOR / map_name).read_text())["version"] == 3, map_name


def test_collectstatic_with_the_production_storage_succeeds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    env.update(SECRET_KEY="test-only-secret-key-not-for-production", DEBUG="0", DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/bootstrap/bootstrap.min.css"]
    assert hashed != "vendor/bootstrap/bootstrap.min.css"
    # The hashed copy names the hashed map, so a browser's developer tools find it too.
    assert Path(manifest["vendor/bootstrap/bootstrap.min.css.map"]).name in (tmp_path / "static" / hashed).read_text()
