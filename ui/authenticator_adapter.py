"""The only place that knows how streamlit-authenticator and its cookie component work inside.

Pinned: streamlit-authenticator==0.4.2, extra-streamlit-components==0.1.81, PyJWT (requirements.txt).
`ui.auth` draws its own log-in form and writes the log-in cookie itself (so that a write confirmed
by the browser is known, and so that the cookie says when it was issued); the library still reads
the cookie back on the next visit, on the log-in screen only. For that, the cookie must be the very
token the library would have signed: its claims, its algorithm, its key. Once logged in, no library
object is built: building one draws its cookie reader (`CookieManager.getAll`), whose answer after
the log-in cookie is written cost every log-in one more run of the page; the log-out button is the
app's own and deletes the cookie as the library's does. Those facts, and the component calls behind
`CookieManager.set` and `CookieManager.delete`, are written here once;
`tests/code/test_library_contracts.py` checks each against the installed libraries, so that an
upgrade that changes one of them fails a test instead of breaking log-in silently.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any, TypeAlias

import jwt
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

__all__ = [
    "ALGORITHM",
    "EXPIRY_CLAIM",
    "ISSUED_CLAIM",
    "SKIP_COOKIE",
    "USERNAME_CLAIM",
    "Authenticator",
    "LoginError",
    "authenticator",
    "cookie_delete",
    "cookie_write",
    "log_in_from_cookie",
    "signing_key",
    "token_decode",
    "token_encode",
]

Authenticator: TypeAlias = stauth.Authenticate

#: What `CookieModel._token_encode` signs with and `_token_decode` accepts.
ALGORITHM = "HS256"
#: The claims the library reads back: who, and until when (a POSIX timestamp, compared with `now()`).
USERNAME_CLAIM = "username"
EXPIRY_CLAIM = "exp_date"
#: Ours: when the cookie was issued (the library ignores claims it does not know).
ISSUED_CLAIM = "issued_at"
#: While this session-state key is true, `CookieModel.get_cookie` ignores the browser's cookie.
SKIP_COOKIE = "logout"


def authenticator(credentials: dict, *, cookie_name: str, cookie_key: str, expiry_hours: float) -> Authenticator:
    """The library's object for one run: it reads the cookie and draws the log-out button."""
    return stauth.Authenticate(
        credentials,
        cookie_name=cookie_name,
        cookie_key=cookie_key,
        cookie_expiry_days=expiry_hours / 24,
        auto_hash=False,
        # The library sleeps this long on every run before the log-in, a wait meant for its cookie
        # component; it reads the cookie from the request headers (`st.context.cookies`), so there is
        # nothing to wait for, and 0.3 s was paid by every log-in and every run of the log-in screen.
        login_sleep_time=0,
    )


def signing_key(auth: Authenticator) -> str:
    """The key the library signs and checks its cookie with."""
    return auth.cookie_controller.cookie_model.cookie_key


def log_in_from_cookie(auth: Authenticator, *, key: str) -> None:
    """Let the library log in from a valid cookie; nothing is drawn. Raises `LoginError` for a refused account."""
    auth.login(location="unrendered", key=key)


def token_encode(*, username: str, key: str, issued: datetime, expires: datetime) -> str:
    """A log-in cookie as the library signs it, plus when it was issued.

    >>> from datetime import datetime
    >>> t = token_encode(username="a", key="k" * 32, issued=datetime(2026, 1, 1), expires=datetime(2026, 1, 2))
    >>> sorted(token_decode(t, key="k" * 32))
    ['exp_date', 'issued_at', 'username']
    """
    claims = {USERNAME_CLAIM: username, EXPIRY_CLAIM: expires.timestamp(), ISSUED_CLAIM: issued.timestamp()}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def token_decode(raw: str, *, key: str) -> dict[str, Any] | None:
    """The claims of a cookie signed with `key` by the library's algorithm; None for anything else.

    >>> token_decode("garbage", key="k" * 32) is None
    True
    """
    try:
        claims = jwt.decode(raw, key, algorithms=[ALGORITHM])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None


def _cookie_component():
    """The cookie component's function (`CookieManager`'s module-level `_component_func`), read at each
    call: drawing it directly draws no cookie reader."""
    return importlib.import_module("extra_streamlit_components.CookieManager")._component_func


def cookie_write(*, cookie_name: str, token: str, expires: str, component_key: str) -> bool:
    """Draw the cookie component's « set », as `CookieManager.set` does; True once the browser wrote it.

    Called directly (not through `CookieManager.set`) to read the component's answer.
    """
    written = _cookie_component()(
        method="set",
        cookie=cookie_name,
        value=token,
        options={"path": "/", "expires": expires, "sameSite": "strict"},
        key=component_key,
        default=False,
    )
    return bool(written)


def cookie_delete(*, cookie_name: str, component_key: str) -> None:
    """Draw the cookie component's « delete », as the library's log-out does (`CookieManager.delete`)."""
    _cookie_component()(method="delete", cookie=cookie_name, key=component_key, default=False)
