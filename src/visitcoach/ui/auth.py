"""Users, roles and which tab each role may use.

Users come from `VISITCOACH_USERS_FILE` (YAML: a list of {name, role, password_hash}) or from
`VISITCOACH_USERS` ("name:role:hash" separated by ";"). With neither set, four demo accounts exist
(one per role, password `visitcoach`), and `serve` prints them at start. Passwords are stored only
as PBKDF2-SHA256 hashes (`visitcoach user-hash` makes one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

from visitcoach.config import Settings
from visitcoach.errors import ConfigError

ROLES = ("agent", "trainer", "reviewer", "admin")
#: The roles that may use each tab (the handlers check this too: hiding a tab is not security).
TAB_ROLES: dict[str, frozenset[str]] = {
    "ask": frozenset(ROLES),
    "prepare": frozenset({"agent", "trainer", "admin"}),
    "plan": frozenset({"agent", "trainer", "admin"}),
    "check": frozenset(ROLES),
    "rehearse": frozenset({"agent", "trainer", "admin"}),
    "train": frozenset({"trainer", "admin"}),
    "knowledge": frozenset(ROLES),
    "knowledge_admin": frozenset({"trainer", "admin"}),  # re-ingest and upload
    "settings": frozenset({"admin"}),
    "dashboard": frozenset({"reviewer", "trainer", "admin"}),  # visit effectiveness for managers
    "review": frozenset({"reviewer", "admin"}),
}
DEMO_PASSWORD = "visitcoach"
_ITERATIONS = 200_000


def hash_password(password: str, salt: bytes | None = None, iterations: int = _ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str


def _check(user: User, source: str) -> User:
    if user.role not in ROLES:
        raise ConfigError(f"{source}: user {user.name!r} has unknown role {user.role!r} (one of {', '.join(ROLES)})")
    if not user.password_hash.startswith("pbkdf2_sha256$"):
        raise ConfigError(f"{source}: user {user.name!r}: password_hash must be a pbkdf2_sha256 hash (visitcoach user-hash)")
    return user


def load_users(settings: Settings) -> tuple[dict[str, User], bool]:
    """(users by name, whether these are the demo accounts)."""
    if settings.users_file:
        path = Path(settings.users_file)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"VISITCOACH_USERS_FILE: {path} does not exist") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"VISITCOACH_USERS_FILE: {path} is not readable YAML: {exc}") from None
        if not isinstance(data, list):
            raise ConfigError(f"VISITCOACH_USERS_FILE: {path} must be a list of {{name, role, password_hash}}")
        users = {}
        for n, row in enumerate(data, start=1):
            if not isinstance(row, dict) or set(row) != {"name", "role", "password_hash"}:
                raise ConfigError(f"VISITCOACH_USERS_FILE: {path}: entry {n} needs exactly name, role, password_hash")
            users[str(row["name"])] = _check(User(str(row["name"]), str(row["role"]), str(row["password_hash"])), str(path))
        return users, False
    raw = (settings.users or "").strip()
    if raw:
        users = {}
        for entry in filter(None, (e.strip() for e in raw.split(";"))):
            parts = entry.split(":", 2)
            if len(parts) != 3:
                raise ConfigError(f"VISITCOACH_USERS: {entry.split(':')[0]!r} is not name:role:hash")
            users[parts[0]] = _check(User(*parts), "VISITCOACH_USERS")
        return users, False
    salt = b"visitcoach-demo!"  # demo accounts only: a fixed salt keeps start-up fast and deterministic
    demo_hash = hash_password(DEMO_PASSWORD, salt, 1_000)
    return {f"demo-{role}": User(f"demo-{role}", role, demo_hash) for role in ROLES}, True


class Auth:
    """The login callback Gradio calls, and role lookups for handlers."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loaded: tuple[dict[str, User], bool] | None = None

    def _load(self) -> tuple[dict[str, User], bool]:
        if self._loaded is None:  # read on first use, not when the app is built (no I/O at import)
            self._loaded = load_users(self._settings)
        return self._loaded

    @property
    def users(self) -> dict[str, User]:
        return self._load()[0]

    @property
    def demo(self) -> bool:
        return self._load()[1]

    def __call__(self, username: str, password: str) -> bool:
        user = self.users.get(username)
        return user is not None and verify_password(password, user.password_hash)

    def role(self, username: str | None) -> str | None:
        user = self.users.get(username or "")
        return user.role if user else None

    def allowed(self, username: str | None, tab: str) -> bool:
        return self.role(username) in TAB_ROLES[tab]

    def banner(self) -> str:
        if not self.demo:
            return f"{len(self.users)} user(s) from configuration"
        names = ", ".join(self.users)
        return f"demo accounts (password '{DEMO_PASSWORD}'): {names}; set VISITCOACH_USERS_FILE for real users"
