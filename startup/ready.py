"""Tell the person who ran ./run.sh, in French, where the app is once it answers.

    .venv/bin/python -m startup.ready [the arguments given to `streamlit run`]

Streamlit's own English notice is hidden (`logger.hideWelcomeMessage`); this waits for the server's
health address, then prints the address to open. It gives up quietly after a minute (the server's
own errors are already on the terminal).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

DEFAULT_PORT = 8501
WAIT_S = 60


def port_of(arguments: list[str]) -> int:
    """The port given to `streamlit run` (`--server.port 8502` or `--server.port=8502`), else the default.

    >>> port_of(["--server.port", "8502"]), port_of(["--server.port=8503"]), port_of([])
    (8502, 8503, 8501)
    """
    for index, argument in enumerate(arguments):
        if argument == "--server.port" and index + 1 < len(arguments) and arguments[index + 1].isdigit():
            return int(arguments[index + 1])
        if argument.startswith("--server.port=") and argument.split("=", 1)[1].isdigit():
            return int(argument.split("=", 1)[1])
    return DEFAULT_PORT


def ready_message(port: int) -> str:
    return f"Ancrage est prêt : ouvrez http://localhost:{port} dans un navigateur (Ctrl+C pour arrêter)."


def wait_until_ready(port: int, *, timeout_s: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    return False


def main(arguments: list[str]) -> int:
    port = port_of(arguments)
    if not wait_until_ready(port):
        return 1
    print(ready_message(port), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
