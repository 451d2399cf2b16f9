"""The ``loyaltysim`` command on bad and good input, run as a real subprocess.

Rule: bad input gets a clear message and exit status 2 naming file, line, key path,
expected and given -- all problems at once, never a traceback, never a half-written result.

Starting the CLI costs ~2 s (imports), so all cases are set up first and then run
concurrently by one module-scoped fixture; each test only inspects its case's outcome.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from loyaltysim.cli import main
from loyaltysim.experiment.folder import partial_dir
from loyaltysim.experiment.store import PartStore, fingerprint
from loyaltysim.scenario import load_scenario, to_toml

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO_ROOT / "scenarios").glob("*.toml"))
DATA = Path(__file__).resolve().parent / "data"
USAGE_ERROR = 2


@dataclass
class Case:
    """One CLI invocation: its folder, its arguments and (after running) its outcome."""

    folder: Path
    args: list[str]
    before: dict[str, bytes] = field(default_factory=dict)
    result: subprocess.CompletedProcess[str] | None = None

    @property
    def out(self) -> Path:
        return self.folder / "out"

    @property
    def stderr(self) -> str:
        assert self.result is not None
        return self.result.stderr

    @property
    def stdout(self) -> str:
        assert self.result is not None
        return self.result.stdout


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its content (to prove it was left untouched)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _setup_cases(root: Path, small_toml: str) -> dict[str, Case]:
    cases: dict[str, Case] = {}

    def case(name: str, *args: str | Path, setup: Callable[[Path], None] | None = None) -> None:
        folder = root / name
        folder.mkdir()
        (folder / "small.toml").write_text(small_toml, encoding="utf-8")
        for data_file in DATA.glob("*.toml"):
            shutil.copy(data_file, folder / data_file.name)
        if setup is not None:
            setup(folder)
        cases[name] = Case(folder, [str(a) for a in args])

    out = ["--out", "out", "--quiet"]
    case("multi_run", "run", "bad_multi.toml", *out)
    case("syntax", "run", "bad_syntax.toml", *out)
    case("variants", "run", "bad_variants.toml", *out)
    case("set_no_equals", "run", "small.toml", "--set", "market.customers", *out)
    case("set_wrong_type", "run", "small.toml", "--set", "market.customers=lots", *out)
    case("missing_file", "run", "missing.toml", *out)

    def foreign_folder(folder: Path) -> None:
        (folder / "out").mkdir()
        (folder / "out" / "thesis.txt").write_text("precious, not a result", encoding="utf-8")
        (folder / "out" / "sub").mkdir()
        (folder / "out" / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    case("out_not_ours", "run", "small.toml", *out, setup=foreign_folder)

    def stale_parts(folder: Path) -> None:
        other = load_scenario(folder / "small.toml", ["run.seed=99"])
        PartStore(partial_dir(folder / "out"), fingerprint(to_toml(other))).open(resume=False)

    case("stale_resume", "run", "small.toml", "--resume", *out, setup=stale_parts)

    for path in SCENARIOS:
        case(f"validate_{path.stem}", "validate", path)
    if SCENARIOS:
        case("validate_set", "validate", SCENARIOS[0], "--set", "market.customers=123")
    return cases


@pytest.fixture(scope="module")
def cases(tmp_path_factory, small_toml, cli) -> dict[str, Case]:
    """Set up every case in its own folder, then run them all, a few at a time."""
    cases = _setup_cases(tmp_path_factory.mktemp("cli"), small_toml)
    for c in cases.values():
        c.before = _snapshot(c.folder)

    def go(c: Case) -> None:
        c.result = cli.run(*c.args, cwd=c.folder)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(go, cases.values()))
    return cases


def assert_refused(c: Case, *fragments: str) -> None:
    """Exit status 2, a plain message with every fragment, no traceback, nothing written."""
    assert c.result is not None
    assert c.result.returncode == USAGE_ERROR, c.stderr
    assert "Traceback" not in c.stderr
    assert "Traceback" not in c.stdout
    assert c.stderr.startswith("loyaltysim: ") or "\nloyaltysim: " in c.stderr, c.stderr
    for fragment in fragments:
        assert fragment in c.stderr, f"{fragment!r} not in:\n{c.stderr}"
    # No result, no partial folder, no default results/ folder, nothing else changed.
    assert not (c.folder / "results").exists()
    assert not (c.folder / ".out.old").exists()
    if c.args[0] == "run" and "--resume" not in c.args:
        assert not partial_dir(c.out).exists()
    assert _snapshot(c.folder) == c.before


def test_multi_error_file_reports_every_problem_at_once(cases):
    c = cases["multi_run"]
    assert_refused(
        c,
        "7 problems in bad_multi.toml",
        'bad_multi.toml:5: run.days: expected an integer, given "thirty"',
        "bad_multi.toml:11: market.regions: expected shares that add up to 1",
        "bad_multi.toml:17: shops.alpha.prise: expected",
        "unknown key 'prise'",
        "bad_multi.toml:21: shops.alpha.initial_awareness: expected a number <= 1, given 1.5",
        "bad_multi.toml:24: shops.beta.price: expected a number > 0, given -5.0",
        "bad_multi.toml:25: shops.beta.quality: expected a finite number",
        "bad_multi.toml:28: shops.beta.courier_by_region.mountains: expected a region of",
        "given unknown region 'mountains'",
    )
    assert not c.out.exists()


def test_toml_syntax_error(cases):
    assert_refused(cases["syntax"], "1 problem in bad_syntax.toml", "bad_syntax.toml:5: ")
    assert "valid TOML" in cases["syntax"].stderr


def test_variant_errors_point_at_the_variant_lines(cases):
    c = cases["variants"]
    assert_refused(
        c,
        "4 problems in bad_variants.toml",
        "bad_variants.toml:14: variants.cheaper.shops.alpha.price: expected a number > 0",
        "bad_variants.toml:17: variants.typo.shops.alpha.prise: expected",
        'bad_variants.toml:20: variants.slow.run.days: expected an integer, given "ten"',
        "bad_variants.toml:23: variants.far.shops.alpha.courier_by_region.mars: expected",
    )
    assert "variants.fine" not in c.stderr


def test_set_without_equals(cases):
    assert_refused(
        cases["set_no_equals"],
        "small.toml (--set market.customers): expected KEY=VALUE",
        "given 'market.customers'",
    )


def test_set_with_wrong_type(cases):
    # Line 11 of conftest's SMALL_TOML holds `customers = 500`, but the bad value is --set's.
    assert_refused(
        cases["set_wrong_type"],
        "small.toml (--set market.customers=lots): market.customers: expected an integer, "
        'given "lots"',
    )


def test_missing_file(cases):
    assert_refused(cases["missing_file"], "missing.toml", "expected a readable scenario file")


def test_out_folder_that_is_not_a_result_is_left_untouched(cases):
    c = cases["out_not_ours"]
    assert_refused(c, "out: exists and is not a loyaltysim result folder")
    assert (c.out / "thesis.txt").read_text(encoding="utf-8") == "precious, not a result"
    assert sorted(p.name for p in c.out.iterdir()) == ["sub", "thesis.txt"]


def test_resume_with_a_changed_scenario_is_refused(cases):
    c = cases["stale_resume"]
    assert_refused(c, "belong to a different scenario", "without --resume")
    assert not c.out.exists()
    # The other scenario's finished work is kept, not wiped.
    assert (partial_dir(c.out) / "parts" / "scenario.json").exists()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_validate_every_scenario(cases, path):
    c = cases[f"validate_{path.stem}"]
    assert c.result is not None
    assert c.result.returncode == 0, c.stderr
    assert "valid" in c.stdout
    assert "Traceback" not in c.stderr
    scenario = load_scenario(path)
    assert f"{scenario.market.customers} customers" in c.stdout
    assert f"{len(scenario.shops)} shops" in c.stdout


def test_validate_with_set(cases):
    if not SCENARIOS:
        pytest.skip("no scenarios")
    c = cases["validate_set"]
    assert c.result is not None
    assert c.result.returncode == 0, c.stderr
    assert "123 customers" in c.stdout


# --------------------------------------------------------------------------------------------
# More refusals, through ``main(argv)`` in this process (same code, no start-up cost)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def main_in(tmp_path, monkeypatch, capsys, small_toml):
    """``main_in(*argv)`` -> (status, stdout, stderr), run in a folder with the scenarios."""
    (tmp_path / "small.toml").write_text(small_toml, encoding="utf-8")
    for data_file in DATA.glob("*.toml"):
        shutil.copy(data_file, tmp_path / data_file.name)
    monkeypatch.chdir(tmp_path)

    def call(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return call


def test_validate_reports_the_same_problems(main_in, cases):
    status, _, err = main_in("validate", "bad_multi.toml")
    assert status == USAGE_ERROR
    assert err == cases["multi_run"].stderr


def test_set_with_unknown_key(main_in, tmp_path):
    status, _, err = main_in("run", "small.toml", "--set", "shops.dear.prise=3", "--out", "out")
    assert status == USAGE_ERROR
    assert "shops.dear.prise" in err
    assert "unknown key 'prise'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["small.toml", *(p.name for p in DATA.glob("*.toml"))]
    )


def test_file_that_is_not_utf8(main_in, tmp_path):
    (tmp_path / "latin1.toml").write_bytes(b'name = "x"\ndescription = "caf\xe9"\n')
    status, _, err = main_in("run", "latin1.toml", "--out", "out")
    assert status == USAGE_ERROR
    assert "latin1.toml:2: expected UTF-8 text" in err
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_is_left_untouched(main_in, tmp_path):
    (tmp_path / "out").write_text("a file, not a folder", encoding="utf-8")
    status, _, err = main_in("run", "small.toml", "--out", "out", "--quiet")
    assert status == USAGE_ERROR
    assert "out: exists and is not a loyaltysim result folder" in err
    assert (tmp_path / "out").read_text(encoding="utf-8") == "a file, not a folder"
    assert not partial_dir(tmp_path / "out").exists()


def test_zero_workers(main_in, tmp_path):
    status, _, err = main_in("run", "small.toml", "--workers", "0", "--out", "out")
    assert status == USAGE_ERROR
    assert "--workers" in err
    assert not (tmp_path / "out").exists()


def test_help_exits_zero(main_in):
    with pytest.raises(SystemExit) as caught:
        main_in("--help")
    assert caught.value.code == 0
