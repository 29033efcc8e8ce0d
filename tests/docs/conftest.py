"""Fixtures of the documentation tests: the site, built once per session, and its server.

``test_site.py`` and ``test_playground.py`` both open the site ``mkdocs build --strict``
made; building it once keeps the suite's time (the build executes or renders the notebooks
and fetches nothing twice: the playground's downloads are cached in ``build/playground/``).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_SECONDS = 900


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, executed_notebooks_dir: Path) -> Path:
    """The site, built with ``mkdocs build --strict`` into a fresh directory.

    The notebooks are those ``tests/docs/test_notebooks.py`` executed in this session, where it
    ran first (as in the whole suite); otherwise the build executes them itself."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "AUTOGRAD_LITE_DOCS_CACHE": "1",
           "AUTOGRAD_LITE_DOCS_CACHE_DIR": str(executed_notebooks_dir)}
    env.pop("AUTOGRAD_LITE_DOCS_NOTEBOOKS", None)  # never the skip mode
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "--site-dir", str(out)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=BUILD_TIMEOUT_SECONDS)
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"mkdocs build --strict: {time.perf_counter() - start:.1f} s")
    return out


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (search needs http, not file://)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


