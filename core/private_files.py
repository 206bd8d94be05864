"""Folders and files only the app's own system account may read: the SQLite database, its WAL
files and the generated cookie key.

They are created private from the start (no window where another local user could open them):
folders 0700, files 0600, whatever the process umask. SQLite gives its `-wal` and `-shm` files the
mode of the database file, so creating that file 0600 before SQLite opens it covers them too.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents 0700 (an existing folder is left as it is)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty and 0600 in a private folder, unless it exists."""
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.fchmod(descriptor, FILE_MODE)
    os.close(descriptor)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a new secret file, 0600 from its creation (refuses to overwrite one)."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
