"""./run.sh says in French where the app is, once it answers; Streamlit's English notice is hidden."""

from __future__ import annotations

import http.server
import threading
import tomllib

from core.config import PROJECT_ROOT
from startup.ready import main, port_of, ready_message
from tests.browser.harness import free_port


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        self.send_response(200 if self.path == "/_stcore/health" else 404)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_the_port_given_to_streamlit_is_the_one_announced():
    assert port_of(["--server.port", "8502"]) == 8502
    assert port_of(["--server.headless", "true", "--server.port=8600"]) == 8600
    assert port_of(["--server.port"]) == 8501


def test_the_french_line_comes_once_the_server_answers(capsys):
    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert main(["--server.port", str(port)]) == 0
    finally:
        server.shutdown()
    assert capsys.readouterr().out.strip() == ready_message(port)
    assert "localhost:" + str(port) in ready_message(port)


def test_streamlit_english_welcome_is_hidden():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["logger"]["hideWelcomeMessage"] is True
    assert "startup.ready" in (PROJECT_ROOT / "run.sh").read_text()
