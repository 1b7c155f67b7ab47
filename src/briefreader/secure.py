"""Secure mode: nothing reaches outside the brief (the bar set by less's LESSSECURE).

Turned on by ``--secure`` or ``BRIEFREADER_SECURE=1`` (the one environment
variable secure mode still reads, since it is the switch).  While it is on:

- nothing is written: no reading positions, no model cache or search index on
  disk, no review files (reviews stay in memory, with a visible notice), no
  exports or new files, no error log;
- nothing is read from the environment to configure briefreader
  (``BRIEFREADER_HOME``, ``PAGER``) — the config file in the user's own config
  folder is still read, as less still reads its own key file;
- no pager is started, no editor or browser, and nothing is put on the
  terminal's clipboard (OSC 52).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

_forced = False


class SecureModeRefusal(Exception):
    """An action that secure mode does not allow; the message says which."""


def activate() -> None:
    global _forced
    _forced = True


@contextmanager
def turned_on(on: bool = True) -> Iterator[None]:
    """Secure mode for the duration of a block (one command run, one test)."""
    global _forced
    before, _forced = _forced, _forced or on
    try:
        yield
    finally:
        _forced = before


def active() -> bool:
    if _forced:
        return True
    return os.environ.get("BRIEFREADER_SECURE", "").strip().lower() not in ("", "0", "no", "false", "off")


def refuse_if_active(what: str) -> None:
    """Raise :class:`SecureModeRefusal` for ``what`` when secure mode is on."""
    if active():
        raise SecureModeRefusal(f"secure mode: {what} is turned off")


def environ(name: str, default: str = "") -> str:
    """An environment setting, or ``default`` in secure mode (which reads none)."""
    return default if active() else os.environ.get(name, default)
