"""``loyaltysim.run(..., workers=2)`` from a script without a ``__main__`` guard, or stdin.

Without care, each worker re-runs the caller's script (BrokenProcessPool) or cannot find
``<stdin>`` (FileNotFoundError); the workers must not import the caller's ``__main__``.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """\
import loyaltysim
print("the script body runs")
result = loyaltysim.run({file!r}, workers=2)
print("replications", len(result.replications))
"""


def _check(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # Once: the workers did not run the script again. 2 variants x 2 replications x 2 shops.
    assert done.stdout.splitlines() == ["the script body runs", "replications 8"]


def test_an_unguarded_script(tmp_path, write_scenario, cli):
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT.format(file=str(write_scenario(tmp_path / "small.toml"))))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=cli.env, capture_output=True, text=True
    )
    _check(done)


def test_code_from_stdin(tmp_path, write_scenario, cli):
    code = SCRIPT.format(file=str(write_scenario(tmp_path / "small.toml")))
    done = subprocess.run(
        [sys.executable, "-"], input=code, cwd=tmp_path, env=cli.env, capture_output=True, text=True
    )
    _check(done)
