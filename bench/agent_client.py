"""A person's session driven over Streamlit's agent API instead of a browser (bench.load --client agent).

`POST /_stcore/agent/interact` runs a real session of the app, through the same rerun path as a
browser's click, and answers once the run has settled with the page as a tree of elements and the
widget keys it accepts. The load run drives its people that way when the client's own cost must
stay out of the machine's cores: nothing is drawn, a click is one small HTTP request. The server
does a little more than for a browser (it encodes the tree as JSON), so page times are, if anything,
pessimistic.

Each session connects from its own loopback address (127.0.N.1), as people from their own machines
would: nginx's `ip_hash` keys on the first three parts of an address, so the sessions spread over the
app processes as in production (all from 127.0.0.1 they would all land on one).

The API is off in the app's configuration; bench.load turns it on only on the processes it starts.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from typing import Any

INTERACT = "/_stcore/agent/interact"
PREVIOUS = "Semaine précédente :"


class AgentError(RuntimeError):
    pass


def source_address(number: int) -> str:
    """The loopback address session `number` connects from: a different /24 for each of the first 250.

    >>> source_address(0), source_address(1), source_address(250)
    ('127.0.1.1', '127.0.2.1', '127.0.1.1')
    """
    return f"127.0.{number % 250 + 1}.1"


def nodes(tree: dict) -> Iterator[dict]:
    """Every element of a snapshot's tree, in page order.

    >>> [n["type"] for n in nodes({"type": "root", "children": [{"type": "main", "children": [{"type": "title"}]}]})]
    ['root', 'main', 'title']
    """
    yield tree
    for child in tree.get("children") or []:
        yield from nodes(child)


def texts(snapshot: dict, *types: str) -> list[str]:
    """The bodies of the elements of `types` (success, error, exception, caption…)."""
    found = []
    for node in nodes(snapshot["tree"]):
        if node.get("type") in types:
            props = node.get("props") or {}
            found.append(str(props.get("body") or props.get("message") or ""))
    return found


def previous_values(snapshot: dict) -> dict[str, str]:
    """The weekly grid's value fields and last week's value written under each (« non saisie » if none).

    >>> tree = {"type": "form", "children": [
    ...     {"type": "text_input", "key": "weekly_entry_value_1_x_0_2", "props": {"label": "Enfants présents"}},
    ...     {"type": "caption", "props": {"body": "Semaine précédente : 8 · requis"}},
    ...     {"type": "text_input", "key": "weekly_entry_comment_1_x_0_2", "props": {"label": "Commentaire"}}]}
    >>> previous_values({"tree": tree})
    {'weekly_entry_value_1_x_0_2': '8'}
    """
    found: dict[str, str] = {}
    field = None
    for node in nodes(snapshot["tree"]):
        kind = node.get("type")
        if kind == "text_input" and str(node.get("key", "")).startswith("weekly_entry_value_"):
            field = node["key"]
        elif kind == "caption" and field is not None:
            body = str((node.get("props") or {}).get("body", ""))
            if body.startswith(PREVIOUS):
                found[field] = body.split(":", 1)[1].split("·")[0].strip()
                field = None
    return found


def action_key(snapshot: dict, label: str) -> str:
    """The key of the control labelled `label` among the snapshot's actions."""
    for action in snapshot.get("actions") or []:
        if action.get("label") == label:
            return action["key"]
    raise AgentError(f"no control « {label} » on page {snapshot.get('page', {}).get('url_path')!r}")


class AgentSession:
    """One person's session of the app behind `host:port`, from its own loopback address."""

    def __init__(self, host: str, port: int, number: int, *, timeout_s: float = 120) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.source = source_address(number)
        self.session_id: str | None = None
        self.connection: http.client.HTTPConnection | None = None

    def _post(self, body: dict) -> tuple[int, dict]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout_s, source_address=(self.source, 0)
            )
        try:
            self.connection.request(
                "POST", INTERACT, body=json.dumps(body), headers={"Content-Type": "application/json"}
            )
            response = self.connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise

    def interact(self, **changes: Any) -> tuple[dict, float]:
        """Send `changes` (widget_state, trigger, page), wait for the settled page: (snapshot, seconds)."""
        body = dict(changes)
        if self.session_id is not None:
            body["session_id"] = self.session_id
        started = time.perf_counter()
        status, snapshot = self._post(body)
        while status == 202:  # the run outlasted the server's wait: collect it with the session alone
            self.session_id = snapshot.get("session_id", self.session_id)
            status, snapshot = self._post({"session_id": self.session_id})
        elapsed = time.perf_counter() - started
        if status != 200:
            raise AgentError(f"HTTP {status}: {json.dumps(snapshot, ensure_ascii=False)[:200]}")
        self.session_id = snapshot["session_id"]
        return snapshot, elapsed

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
