"""Run many briefreader commands quickly: a server that imports briefreader once and
forks a fresh child per command, which calls the console-script entry point
(``briefreader.cli.run``, what ``python -m briefreader`` calls) with its own argv, working
folder, environment, standard input from /dev/null and standard output and error sent to
files.  An exception that escapes ``run`` is printed as the interpreter would print it
(a ``Traceback``), so a crash looks the same as in a real process.  A child that outlives
its deadline is killed (SIGKILL, by its pid) and reported as timed out.

Protocol: one JSON request per line on stdin ``{"argv": [...], "cwd": "...", "env":
{...}, "timeout": 20}``, one JSON answer per line on stdout ``{"rc": 0, "stdout": b64,
"stderr": b64, "seconds": 0.03, "timed_out": false}``.

Several hundred commands cost a few seconds this way, against a minute or more when
each starts its own interpreter.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sys
import tempfile
import time
import traceback


def _child(request: dict, out_fd: int, err_fd: int) -> None:
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        os.chdir(request["cwd"])
        os.environ.update(request.get("env", {}))
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", errors="strict", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        sys.argv = ["briefreader", *request["argv"]]
        from briefreader.cli import run

        code = 0
        try:
            run()
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if stop.code is not None and not isinstance(stop.code, int):
                print(stop.code, file=sys.stderr)
        except BaseException:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a write error at exit, as the interpreter reports it
                traceback.print_exc(file=sys.__stderr__)
                code = code or 120
    except BaseException:
        code = 125
    os._exit(code)


def run_one(request: dict) -> dict:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(request, out.fileno(), err.fileno())
        deadline = started + float(request.get("timeout", 20))
        timed_out = False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)  # our own child, by its pid
                os.waitpid(pid, 0)
                timed_out, status = True, -9
                break
            time.sleep(0.002)
        seconds = time.monotonic() - started
        rc = os.waitstatus_to_exitcode(status) if not timed_out else -9
        out.seek(0)
        err.seek(0)
        return {"rc": rc, "stdout": base64.b64encode(out.read()).decode(),
                "stderr": base64.b64encode(err.read()).decode(),
                "seconds": round(seconds, 4), "timed_out": timed_out}


def serve() -> None:
    import importlib

    for name in ("cli", "loader", "index", "printout", "export", "review", "render"):
        try:  # imported once, before any fork; a module that is not there yet is skipped
            importlib.import_module(f"briefreader.{name}")
        except ImportError:
            pass

    for line in sys.stdin:
        if not line.strip():
            continue
        answer = run_one(json.loads(line))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
