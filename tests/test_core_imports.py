"""The core must never import Textual: check, show and export start fast and
run where no terminal UI is wanted."""

import subprocess
import sys

CORE = ("model", "loader", "yamlsafe", "sanitize", "vocab", "render", "paths", "config", "storage", "state", "review", "index", "find", "cache", "secure", "cli", "export", "printout", "authoring", "shellcomp")


def test_core_modules_do_not_import_textual():
    imports = "; ".join(f"import briefreader.{name}" for name in CORE)
    code = f"import sys; {imports}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
