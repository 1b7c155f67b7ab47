"""A real SSH session: OpenSSH's sshd on 127.0.0.1, ``ssh -tt`` into it, briefreader on
the far side, driven by key presses and read back through pyte.

The test makes everything it needs in a temporary folder (a host key, a client key,
an authorised-keys file, an sshd_config that listens on loopback only) and starts
sshd as its own child on a free port.  It skips, saying why, when sshd or ssh is not
installed or sshd cannot start (``.ci/run`` installs openssh-server and
openssh-client when they are missing, so in CI it runs).

The first test reads a brief and prints the bytes that came back over the link for
each key press (``pytest -s`` shows them; bench/README.md records them), asserting
nothing about speed.  The second kills the client mid-brief, as a dropped link
would, and checks that the reader on the far side goes too.  Every wait polls
against a deadline; the processes the tests started (sshd by its pid, the ssh
client, and anything still running with a test's own BRIEFREADER_HOME) are ended
in ``finally`` blocks.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pyte = pytest.importorskip("pyte")

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 80, 24
DEADLINE = 30.0  # seconds for any one wait; generous for a loaded CI machine
QUIET = 0.2  # a key's output is over once the link has been quiet this long after it began,
KEY_DEADLINE = 5.0  # or after this long, whichever comes first
BANNER = "UNCLASSIFIED // TLP:CLEAR"
SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def _tool(name: str, sbin: bool = False) -> str | None:
    path = os.environ.get("PATH", "")
    if sbin:  # sshd lives in sbin, which is not on every PATH
        path = os.pathsep.join([path, *SBIN])
    found = shutil.which(name, path=path)
    return os.path.abspath(found) if found else None  # sshd re-executes itself: absolute path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen | None) -> None:
    """End one process this test started, by its pid: TERM, then KILL."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _processes_with_env(marker: bytes) -> list[int]:
    """Pids of processes whose environment holds ``marker`` (this test's unique home)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


class SSHServer:
    """sshd started by this test, on loopback, with keys made for the test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.user = getpass.getuser()
        self.log = folder / "sshd.log"
        self.client_key = folder / "client_ed25519"
        self.ssh = ""  # the client, found with sshd

    def _keygen(self, keygen: str, path: Path, comment: str) -> None:
        done = subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            pytest.skip(f"ssh-keygen could not make a test key: {done.stderr.strip()}")

    def start(self, sshd: str, keygen: str) -> None:
        host_key = self.folder / "ssh_host_ed25519_key"
        self._keygen(keygen, host_key, "briefreader-test-host")
        self._keygen(keygen, self.client_key, "briefreader-test-client")
        authorized = self.folder / "authorized_keys"
        authorized.write_bytes(self.client_key.with_suffix(".pub").read_bytes())
        authorized.chmod(0o600)
        # sshd's privilege separation folder; Debian's package makes it only when the
        # service starts, which a container never does
        privsep = Path("/run/sshd")
        if not privsep.is_dir():
            try:
                privsep.mkdir(mode=0o755, parents=True)
            except OSError as error:
                pytest.skip(f"sshd needs {privsep} and it cannot be made: {error.strerror}")
        last_log = ""
        for _attempt in range(3):  # another process may take the free port first
            self.port = _free_port()
            config = self.folder / "sshd_config"
            config.write_text("\n".join([
                f"Port {self.port}",
                "ListenAddress 127.0.0.1",
                "AddressFamily inet",
                f"HostKey {host_key}",
                f"PidFile {self.folder / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                "StrictModes no",
                "UsePAM no",
                "PermitRootLogin yes",  # CI runs as root
                f"AllowUsers {self.user}",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "AllowTcpForwarding no",
                "AllowAgentForwarding no",
                "X11Forwarding no",
                "PermitTunnel no",
                "PermitUserEnvironment no",
                "PrintMotd no",
                "PrintLastLog no",
                "UseDNS no",
                "LoginGraceTime 30",
                "LogLevel VERBOSE",
                "",
            ]))
            checked = subprocess.run([sshd, "-t", "-f", str(config)], stdin=subprocess.DEVNULL,
                                     capture_output=True, text=True, timeout=30)
            if checked.returncode != 0:
                pytest.skip(f"sshd rejects the test configuration (sshd -t exited "
                            f"{checked.returncode}): {checked.stderr.strip() or 'no message'}")
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(
                    [sshd, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
            listening = f"Server listening on 127.0.0.1 port {self.port}"
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline:
                last_log = self.log.read_text(errors="replace")
                if listening in last_log:
                    return
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)  # polling sshd's log, not a timing assertion
            _stop(self.process)
            self.process = None
            if "Bind to port" not in last_log and "Address already in use" not in last_log:
                break
        pytest.skip(f"sshd did not start: {last_log.strip()[-600:] or 'no output'}")

    def stop(self) -> None:
        _stop(self.process)


class SSHTerminal:
    """The ssh client in a local pty sized 80x24, its output fed to a pyte screen."""

    def __init__(self, argv: list[str]) -> None:
        self.master, slave = os.openpty()
        # ssh reads this size from its stdin and asks the far side for a pty of it
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("SSH_AUTH_SOCK", "NO_COLOR", "FORCE_COLOR")
                       and not k.startswith("TEXTUAL")}
        environment["TERM"] = "xterm-256color"
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                        env=environment, start_new_session=True, close_fds=True)
        os.close(slave)
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.closed = False
        self.home: Path | None = None  # BRIEFREADER_HOME on the far side

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def _read(self, timeout: float) -> bool:
        """Read what is available within ``timeout``; False when nothing came."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the client closed its side
            data = b""
        if not data:
            self.closed = True
            return False
        self.raw.extend(data)
        self.stream.feed(data)
        return True

    def wait_until(self, condition, what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition(self.screen.display):
            if time.monotonic() > deadline or (self.closed and not self._read(0)):
                pytest.fail(f"never saw {what} on screen over SSH:\n{self.text}")
            self._read(0.05)

    def wait_for(self, *fragments: str) -> None:
        self.wait_until(lambda lines: all(f in "\n".join(lines) for f in fragments), repr(fragments))

    def settle(self, first: bool = False) -> None:
        """Read until the link has been quiet for QUIET seconds or KEY_DEADLINE passes;
        with ``first``, only once something has come (a slow far side is not quiet)."""
        deadline = time.monotonic() + KEY_DEADLINE
        if first:
            while not self._read(0.05) and not self.closed and time.monotonic() < deadline:
                pass
        while time.monotonic() < deadline and self._read(QUIET):
            pass

    def press(self, keys: bytes) -> int:
        """Send one key press, wait for its output to settle, return the bytes it brought."""
        before = len(self.raw)
        os.write(self.master, keys)
        self.settle(first=True)
        return len(self.raw) - before

    def wait_for_exit(self) -> int:
        deadline = time.monotonic() + DEADLINE
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.05)
        try:
            status = self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"the ssh session did not end; screen:\n{self.text}")
        while self._read(0):
            pass  # what was written just before the end
        return status

    def close(self) -> None:
        _stop(self.process)
        os.close(self.master)


def _reap(home: Path) -> list[int]:
    """End what a session started on the far side, found by this test's home in its
    environment; return the pids that were still there when the deadline passed."""
    marker = f"BRIEFREADER_HOME={home}".encode()
    deadline = time.monotonic() + 10
    while _processes_with_env(marker) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the far side to go, not a timing assertion
    left = _processes_with_env(marker)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory):
    """sshd on 127.0.0.1 for this module's tests, or a skip that says why not."""
    ssh, sshd, keygen = _tool("ssh"), _tool("sshd", sbin=True), _tool("ssh-keygen")
    if not sshd:
        pytest.skip("sshd not installed (Debian: apt-get install openssh-server; .ci/run does this)")
    if not ssh or not keygen:
        pytest.skip("ssh or ssh-keygen not installed (Debian: apt-get install openssh-client)")
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to find what a session left running")
    keys = tmp_path_factory.mktemp("ssh")
    keys.chmod(0o700)
    server = SSHServer(keys)
    server.ssh = ssh
    try:
        server.start(sshd, keygen)
        yield server
    finally:
        server.stop()


@pytest.fixture
def ssh_session(ssh_server: SSHServer, tmp_path: Path):
    """Start ``ssh -tt`` to briefreader on the far side; end it (and what it left) after."""
    started: list[tuple[SSHTerminal, Path]] = []

    def start() -> SSHTerminal:
        home = tmp_path / f"home{len(started)}"
        home.mkdir()
        remote = (f"cd {shlex.quote(str(ROOT))} && TERM=xterm-256color "
                  f"BRIEFREADER_HOME={shlex.quote(str(home))} COLUMNS={COLUMNS} LINES={LINES} "
                  f"{shlex.quote(sys.executable)} -m briefreader briefs")
        terminal = SSHTerminal([
            ssh_server.ssh, "-tt", "-p", str(ssh_server.port), "-i", str(ssh_server.client_key),
            "-F", "/dev/null",  # no user or system client config
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20",
            f"{ssh_server.user}@127.0.0.1", remote,
        ])
        terminal.home = home
        started.append((terminal, home))
        try:
            terminal.wait_for("briefreader · library", "Oreshnik in Belarus")
        except pytest.fail.Exception:
            log = ssh_server.log.read_text(errors="replace")
            if "Permission denied" in terminal.text or "not allowed" in log:
                pytest.skip(f"sshd refused the test key (an environment limit): {log.strip()[-600:]}")
            raise
        return terminal

    try:
        yield start
    finally:
        for terminal, home in started:
            terminal.close()
            _reap(home)


def test_read_a_brief_over_a_real_ssh_session(ssh_session) -> None:
    terminal = ssh_session()
    terminal.settle()
    startup = len(terminal.raw)
    per_key: list[tuple[str, int]] = []

    per_key.append(("Enter", terminal.press(b"\r")))  # the newest brief is first
    terminal.wait_for("Bottom line up front", "Stationing Oreshnik")
    # 24 rows on the far side too: the banner is on the first and the last
    terminal.wait_until(lambda lines: lines[0].strip() == lines[-1].strip() == BANNER,
                        "the handling banner on the first and last lines")
    first_page = terminal.text

    for _ in range(20):
        per_key.append(("j", terminal.press(b"j")))
        lines = terminal.screen.display
        assert lines[0].strip() == lines[-1].strip() == BANNER, terminal.text
    assert terminal.text != first_page, "20 presses of j moved nothing"

    per_key.append(("s", terminal.press(b"s")))
    terminal.wait_for("Sources (2)", "reliability B (usually reliable)")

    per_key.append(("q", terminal.press(b"q")))
    terminal.wait_for("briefreader · library")

    os.write(terminal.master, b"q")
    assert terminal.wait_for_exit() == 0, f"ssh ended badly; screen:\n{terminal.text}"
    raw = bytes(terminal.raw)
    assert b"Traceback" not in raw
    # the far side left the alternate screen on its way out
    assert raw.rfind(b"\x1b[?1049l") > raw.rfind(b"\x1b[?1049h") >= 0
    assert _reap(terminal.home) == [], "briefreader still running after a clean exit"

    js = [count for name, count in per_key if name == "j"]
    print(f"\nbytes over SSH at {COLUMNS}x{LINES}: {startup:,} to the first library screen")
    for name, count in per_key:
        if name != "j":
            print(f"  {name:<6} {count:>7,}")
    print(f"  j x{len(js):<3} {sum(js):>7,} in all; per press min {min(js):,}, "
          f"median {sorted(js)[len(js) // 2]:,}, max {max(js):,}")
    print(f"  total  {len(raw):>7,} (including the final q and the exit)")


def test_a_dropped_link_leaves_nothing_running(ssh_session) -> None:
    """The link dies mid-brief (the client is killed): sshd hangs up the far side's
    terminal and the reader must go with it, not linger on a shared host."""
    terminal = ssh_session()
    terminal.press(b"\r")
    terminal.wait_for("Bottom line up front")
    marker = f"BRIEFREADER_HOME={terminal.home}".encode()
    assert _processes_with_env(marker), "found no briefreader on the far side"
    terminal.process.kill()
    terminal.process.wait(timeout=DEADLINE)
    assert _reap(terminal.home) == [], "briefreader outlived its SSH session"
