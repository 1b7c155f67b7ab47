"""A cache of loaded briefs, so that opening a large library again is quick.

Parsing is most of the cost of opening a library (about 20 ms a brief), and
briefs rarely change between runs.  Each loaded file's result (the brief or
its problems) is kept as a pickle in the user cache folder, valid only for the
same file path, size, modification time, size limit and briefreader code: any
change to one of them is a miss and the file is parsed again.

Pickles are only ever read from a folder that belongs to the current user and
that nobody else can write to; otherwise the cache is not used at all.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from pathlib import Path

from . import paths
from .model import LibraryEntry
from .storage import write_atomic_bytes

CACHE_FORMAT = 2  # 2: the key and the entry as two pickles, one after the other

PROTOCOL = pickle.HIGHEST_PROTOCOL


def pickle_entry(entry: LibraryEntry) -> bytes:
    """An entry as the cache stores it (a worker process pickles it once, for both)."""
    return pickle.dumps(entry, protocol=PROTOCOL)


def _code_fingerprint() -> str:
    """Changes whenever the code that builds the model changes."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    here = Path(__file__).parent
    for name in ("loader.py", "model.py", "yamlsafe.py", "sanitize.py", "vocab.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


class ModelCache:
    """Loaded briefs on disk, keyed by file identity and code version."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or paths.cache_dir() / "models"
        self.fingerprint = _code_fingerprint()
        self.usable = self._prepare()

    def _prepare(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            info = os.stat(self.folder)
        except OSError:
            return False
        # Never unpickle from a folder someone else controls.
        return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)

    def _key(self, path: Path, info: os.stat_result, shown: str, max_file_size: int) -> tuple:
        return (self.fingerprint, str(path.resolve()), shown, info.st_size, info.st_mtime_ns,
                info.st_ino, max_file_size)

    def _file(self, key: tuple) -> Path:
        return self.folder / (hashlib.sha256(repr(key[1:3]).encode()).hexdigest()[:32] + ".pickle")

    def get(self, path: Path, shown: str, max_file_size: int) -> LibraryEntry | None:
        if not self.usable:
            return None
        try:
            key = self._key(path, os.stat(path), shown, max_file_size)
            file = self._file(key)
            with open(file, "rb") as handle:
                if os.fstat(handle.fileno()).st_uid != os.getuid():
                    return None
                if pickle.load(handle) != key:
                    return None  # stale: the entry is not even read
                entry = pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError,
                ImportError, IndexError):
            return None
        return entry if isinstance(entry, LibraryEntry) else None

    def put(self, path: Path, shown: str, max_file_size: int, entry: LibraryEntry) -> None:
        if not self.usable:
            return
        try:
            data = pickle_entry(entry)
        except (pickle.PickleError, RecursionError):
            return
        self.put_pickled(path, shown, max_file_size, data)

    def put_pickled(self, path: Path, shown: str, max_file_size: int, data: bytes) -> None:
        """Store an entry already pickled by :func:`pickle_entry`."""
        if not self.usable:
            return
        try:
            key = self._key(path, os.stat(path), shown, max_file_size)
            head = pickle.dumps(key, protocol=PROTOCOL)
            write_atomic_bytes(self._file(key), head + data, durable=False)
        except (OSError, pickle.PickleError, RecursionError):
            pass  # a cache that cannot be written only costs time
