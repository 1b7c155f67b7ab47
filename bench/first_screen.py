"""Time from launch to the first screen, in a real pseudo-terminal at 80x24.

    python bench/first_screen.py [--runs 5] [PATH] [--expect TEXT]

Starts `python -m briefreader PATH` (default: the bundled library) under a pty,
feeds what it writes to a pyte screen, and stops the clock when TEXT (default:
the Oreshnik brief's title) is on the screen.  Prints each run and the median.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parent.parent


def first_screen(command: list[str], expect: str, columns: int = 80, lines: int = 24,
                 timeout: float = 30.0) -> tuple[float, int]:
    """Seconds until ``expect`` is on screen, and the bytes written until then."""
    screen = pyte.Screen(columns, lines)
    stream = pyte.ByteStream(screen)
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines),
                   BRIEFREADER_HOME=home)
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(ROOT)
            os.execvpe(command[0], command, env)
        import fcntl, struct, termios
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        written = 0
        try:
            while time.perf_counter() - start < timeout:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    try:
                        data = os.read(fd, 65536)
                    except OSError:
                        break
                    written += len(data)
                    stream.feed(data)
                    if any(expect in line for line in screen.display):
                        return time.perf_counter() - start, written
            raise RuntimeError(f"'{expect}' not on screen after {timeout}s:\n" + "\n".join(screen.display))
        finally:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="briefs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--expect", default="Oreshnik in Belarus")
    args = parser.parse_args()
    command = [sys.executable, "-m", "briefreader", args.path]
    times = []
    for run in range(args.runs):
        seconds, written = first_screen(command, args.expect)
        times.append(seconds)
        print(f"run {run + 1}: {seconds * 1000:.0f} ms to first screen, {written} bytes")
    print(f"median: {statistics.median(times) * 1000:.0f} ms over {args.runs} runs "
          f"(briefreader {args.path}, 80x24)")


if __name__ == "__main__":
    main()
