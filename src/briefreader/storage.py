"""Small JSON documents on disk: written atomically, never silently lost.

A save writes a temporary file in the same folder, flushes and fsyncs it, then
renames it over the old one, so a crash leaves either the old or the new file.
A file that cannot be read back is set aside under a timestamped name and
reported; it is never overwritten.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once; ``durable`` also waits for the disk
    (a cache can skip that: losing it only costs time)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # private: state, caches
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    if not durable:
        return
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def set_aside(path: Path, why: str = "corrupt") -> Path:
    """Rename a file out of the way (``name.<why>-<time>``), keeping it for the user."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    os.replace(path, target)
    return target


def read_json(path: Path) -> tuple[dict, str]:
    """The JSON object in ``path`` ({} when absent) and a notice when it was damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except OSError as error:
        return {}, f"cannot read {path}: {error.strerror}"
    import json  # only when there is a file: a first start reads none

    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError:
        moved = set_aside(path)
        return {}, f"{path.name} was damaged; kept it as {moved.name} and started afresh"
    return data, ""
