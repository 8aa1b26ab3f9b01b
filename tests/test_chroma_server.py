"""The scale-out path: the same ingest and search against a real `chroma run` server on loopback."""

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from visitcoach.errors import ConfigError
from visitcoach.ingest import ingest
from visitcoach.retrieval.index import KnowledgeIndex
from visitcoach.ui.pool import free_port

from .conftest import make_settings

pytestmark = pytest.mark.server



@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("chroma server did not start")
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_search_through_the_server(tmp_path, corpus_copy, chroma_server):
    settings = make_settings(tmp_path / "data", corpus_copy, chroma_url=chroma_server)
    report = ingest(settings)
    index = KnowledgeIndex(settings)
    assert index.store.count() == report.chunks_total
    assert not (tmp_path / "data" / "index" / "chroma").exists()  # nothing embedded locally
    result = index.search("What does 1692c(a)(3) require?", 3)
    assert result.hits[0].citation == "15 U.S.C. 1692c(a)(3)"
    assert result.best_dense > 0.5  # the dense list came back from the server

    (corpus_copy / "legal" / "uk" / "conc-mini.md").unlink()
    ingest(settings)
    fresh = KnowledgeIndex(settings)
    assert fresh.store.ids() == set(fresh.manifest.chunk_ids())


def test_unreachable_server_is_a_clear_config_error(tmp_path):
    settings = make_settings(tmp_path / "data", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ConfigError, match="VISITCOACH_CHROMA_URL"):
        ingest(settings)
