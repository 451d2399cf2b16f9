"""The sweep folder: one small file per finished run, gathered into one table at the end.

Layout of ``<out>/``::

    scenario.toml   the resolved scenario, sweep section included
    design.csv      one row per design point: point and the parameter values
    design.json     the design's settings, the SALib problem, and the fingerprint
    runs/           p<point>_r<replication>.json: one per finished run, written atomically
    failures/       the same for runs that raised (message, traceback)
    sweep.parquet   gathered at the end: one row per point x replication x shop
    sweep.csv       the same table as CSV
    failures.csv    one row per failed run: point, replication, seed, values, error
    meta.json       status, counts, wall time, executor, versions, command

Every file is written to a temporary name and renamed into place, so after a crash, even a
SIGKILL, a run's file is either whole or absent. ``--resume`` lists ``runs/`` and runs only
what is missing. The fingerprint covers everything that changes a run's result or the
design (the base scenario and the sweep section, except ``replications``, which may grow),
and a resume with a different fingerprint is refused rather than mixing two experiments.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from loyaltysim.experiment.seeds import describe, replication_seed
from loyaltysim.experiment.store import cannot_write, fingerprint, write_atomic
from loyaltysim.experiment.sweep.design import POINT, Design
from loyaltysim.scenario import Scenario, to_toml
from loyaltysim.scenario.keypaths import flatten
from loyaltysim.scenario.problems import UserError

#: Bumped when the layout of run files changes, so old folders are not resumed.
LAYOUT = 1
_RUN_FILE = re.compile(r"^p(\d+)_r(\d+)\.json$")
#: Runs gathered per chunk: the table is written in pieces, never held whole.
GATHER_CHUNK = 2000


class SweepFolderError(UserError):
    """The output folder cannot be used for this sweep."""


@dataclass
class Gathered:
    """What :meth:`SweepFolder.gather` wrote.

    Attributes:
        rows: Rows of ``sweep.parquet``.
        failed: Runs listed in ``failures.csv``.
        sources: Runs per loyaltysim source fingerprint; more than one means the code
            changed during the sweep (or between a sweep and its resumption).

    """

    rows: int = 0
    failed: int = 0
    sources: Counter[str] = field(default_factory=Counter)


def sweep_fingerprint(scenario: Scenario) -> str:
    """Hash of what determines the sweep's runs: base scenario and design.

    Names, descriptions, variants, calibration and output switches that do not change a
    run's figures are left out, and so is ``sweep.replications``: replication ``k`` has
    the same seed whatever the count, so a finished sweep may be resumed with more.
    """
    assert scenario.sweep is not None
    normalised = scenario.model_copy(
        update={
            "name": "",
            "description": "",
            "variants": {},
            "calibration": None,
            "sweep": scenario.sweep.model_copy(update={"replications": 1}),
            "output": scenario.output.model_copy(update={"figures": False, "customers": "none"}),
        }
    )
    return fingerprint(f"layout {LAYOUT}\n{to_toml(normalised)}")


def describe_changes(old_toml: str, new_toml: str, limit: int = 6) -> str:
    """Which keys differ between two resolved scenarios, for the refusal message."""
    try:
        old = flatten(tomllib.loads(old_toml))
    except tomllib.TOMLDecodeError:
        return "the stored scenario.toml cannot be read"
    new = flatten(tomllib.loads(new_toml))
    changed = [
        f"{key}: {old.get(key, '(unset)')!r} -> {new.get(key, '(unset)')!r}"
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key) and key not in ("name", "description")
        and not key.startswith(("variants.", "calibration."))
    ]  # fmt: skip
    if not changed:
        return "the package's sweep layout changed"
    more = f" and {len(changed) - limit} more" if len(changed) > limit else ""
    return "; ".join(changed[:limit]) + more


class SweepFolder:
    """Files of one sweep under ``root`` (see the module docstring for the layout)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs = self.root / "runs"
        self.failures = self.root / "failures"

    # -- starting and resuming --------------------------------------------------------------

    def start(self, scenario: Scenario, design: Design, resume: bool) -> None:
        """Create the folder, or check that it holds this very sweep when resuming.

        Raises:
            SweepFolderError: the folder holds something else, a sweep without
                ``--resume``, or a sweep of a different scenario or design.

        """
        stamp = sweep_fingerprint(scenario)
        settings = self.root / "design.json"
        if self.root.exists() and not self.root.is_dir():
            raise SweepFolderError(f"{self.root}: exists and is not a folder")
        if self.root.exists() and any(self.root.iterdir()):
            if not settings.exists():
                raise SweepFolderError(
                    f"{self.root}: exists and is not a sweep folder (no design.json); "
                    "choose another --out or remove it"
                )
            if not resume:
                raise SweepFolderError(
                    f"{self.root}: holds a sweep already; pass --resume to continue it (runs "
                    "already finished are kept), or choose another --out"
                )
            found = json.loads(settings.read_text(encoding="utf-8")).get("fingerprint")
            if found != stamp:
                old = self.root / "scenario.toml"
                old_text = old.read_text(encoding="utf-8") if old.exists() else ""
                raise SweepFolderError(
                    f"{self.root}: cannot resume, the scenario or sweep changed since this "
                    f"sweep began ({describe_changes(old_text, to_toml(scenario))}); "
                    "run it into a new --out, or undo the change"
                )
            self._remove_temporary_files()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.runs.mkdir(exist_ok=True)
            self.failures.mkdir(exist_ok=True)
        except OSError as exc:
            raise cannot_write(self.root, exc) from None
        write_atomic(self.root / "scenario.toml", to_toml(scenario))
        write_atomic(self.root / "design.csv", design.csv_chunks())
        body = {"fingerprint": stamp, "layout": LAYOUT, **design.to_json()}
        write_atomic(settings, json.dumps(body, indent=2))

    def _remove_temporary_files(self) -> None:
        """Drop half-written files a killed sweep left (they never look like results)."""
        for folder in (self.root, self.runs, self.failures):
            if folder.is_dir():
                for path in folder.glob(".*.tmp"):
                    path.unlink(missing_ok=True)

    # -- runs -------------------------------------------------------------------------------

    @staticmethod
    def _name(point: int, replication: int) -> str:
        return f"p{point:06d}_r{replication:04d}.json"

    def finished(self) -> set[tuple[int, int]]:
        """``(point, replication)`` of every run with a result file."""
        return set(self._listed(self.runs))

    def failed(self) -> set[tuple[int, int]]:
        """``(point, replication)`` of every run with a failure file."""
        return set(self._listed(self.failures))

    @staticmethod
    def _listed(folder: Path) -> Iterator[tuple[int, int]]:
        if not folder.is_dir():
            return
        with os.scandir(folder) as entries:
            for entry in entries:
                match = _RUN_FILE.match(entry.name)
                if match:
                    yield int(match.group(1)), int(match.group(2))

    def save(self, record: Mapping[str, Any]) -> None:
        """Store one run's record: under ``runs/`` if it succeeded, else ``failures/``."""
        name = self._name(record["point"], record["replication"])
        if record["ok"]:
            write_atomic(self.runs / name, json.dumps(record))
            (self.failures / name).unlink(missing_ok=True)
        else:
            write_atomic(self.failures / name, json.dumps(record))

    # -- gathering ----------------------------------------------------------------------------

    def gather(self, design: Design, tasks: Iterable[tuple[int, int]], seed: int) -> Gathered:
        """Write ``sweep.parquet``, ``sweep.csv`` and ``failures.csv`` from the run files.

        Only the runs of ``tasks`` are gathered (in that order), so a resume with fewer
        replications leaves the extra files out. The table is written in chunks of
        :data:`GATHER_CHUNK` runs, so memory stays flat however long the sweep.

        Returns:
            Rows written, failed runs listed, and the code fingerprints of the runs.

        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        finished = self.finished()
        failed = self.failed()
        parquet_tmp = self.root / ".sweep.parquet.tmp"
        csv_tmp = self.root / ".sweep.csv.tmp"
        writer: pq.ParquetWriter | None = None
        schema: pa.Schema | None = None
        rows = 0
        sources: Counter[str] = Counter()
        failures: list[dict[str, Any]] = []
        chunk: list[dict[str, Any]] = []
        try:
            with csv_tmp.open("w", encoding="utf-8", newline="") as csv:
                for point, replication in tasks:
                    if (point, replication) in finished:
                        chunk.append(self._read(self.runs, point, replication))
                        sources[chunk[-1].get("code", "")] += 1
                    elif (point, replication) in failed:
                        record = self._read(self.failures, point, replication)
                        failures.append(self._failure_row(design, record, seed))
                    if len(chunk) >= GATHER_CHUNK:
                        writer, schema = self._write_chunk(design, chunk, writer, schema, csv)
                        rows += sum(len(r["figures"]["shop"]) for r in chunk)
                        chunk = []
                if chunk or writer is None:
                    writer, schema = self._write_chunk(design, chunk, writer, schema, csv)
                    rows += sum(len(r["figures"]["shop"]) for r in chunk)
                csv.flush()
                os.fsync(csv.fileno())
            assert writer is not None
            writer.close()
            os.replace(parquet_tmp, self.root / "sweep.parquet")
            os.replace(csv_tmp, self.root / "sweep.csv")
        except BaseException as exc:
            parquet_tmp.unlink(missing_ok=True)
            csv_tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):  # disk full, read-only: the run files are kept
                raise cannot_write(self.root / "sweep.parquet", exc) from None
            raise
        columns = ["point", "replication", "seed_entropy", "seed_spawn_key", *design.names,
                   "error", "host", "traceback"]  # fmt: skip
        table = pd.DataFrame(failures, columns=columns)
        write_atomic(self.root / "failures.csv", table.to_csv(index=False))
        return Gathered(rows, len(failures), sources)

    @staticmethod
    def _read(folder: Path, point: int, replication: int) -> dict[str, Any]:
        name = SweepFolder._name(point, replication)
        return json.loads((folder / name).read_text(encoding="utf-8"))

    @staticmethod
    def _failure_row(design: Design, record: Mapping[str, Any], seed: int) -> dict[str, Any]:
        point, replication = record["point"], record["replication"]
        described = describe(replication_seed(seed, replication))
        return {
            "point": point,
            "replication": replication,
            "seed_entropy": described["entropy"],
            "seed_spawn_key": json.dumps(described["spawn_key"]),
            **design.values_of(point),
            "error": record.get("error", ""),
            "host": record.get("host", ""),
            "traceback": record.get("traceback", ""),
        }

    def _write_chunk(
        self,
        design: Design,
        chunk: list[dict[str, Any]],
        writer: Any,
        schema: Any,
        csv: Any,
    ) -> tuple[Any, Any]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = runs_frame(design, chunk)
        if writer is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            schema = table.schema
            writer = pq.ParquetWriter(self.root / ".sweep.parquet.tmp", schema)
            frame.to_csv(csv, index=False)
        else:
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            frame.to_csv(csv, index=False, header=False)
        if table.num_rows:
            writer.write_table(table)
        return writer, schema


def runs_frame(design: Design, records: list[Mapping[str, Any]]) -> pd.DataFrame:
    """Tidy rows of run records: point, replication, design values, shop, figures."""
    columns: dict[str, list[Any]] = {POINT: [], "replication": []}
    columns.update({name: [] for name in design.names})
    for record in records:
        figures = record["figures"]
        count = len(figures["shop"])
        columns[POINT] += [record["point"]] * count
        columns["replication"] += [record["replication"]] * count
        for name, value in design.values_of(record["point"]).items():
            columns[name] += [value] * count
        for name, values in figures.items():
            columns.setdefault(name, []).extend(values)
    if not records:
        columns["shop"] = []
    return pd.DataFrame(columns)


def read_sweep(folder: str | Path) -> tuple[Design, pd.DataFrame]:
    """The design and the gathered table of a finished sweep folder.

    Raises:
        SweepFolderError: the folder is not a gathered sweep.

    """
    root = Path(folder)
    settings, points, table = (root / n for n in ("design.json", "design.csv", "sweep.parquet"))
    if not settings.exists() or not points.exists():
        raise SweepFolderError(f"{root}: not a sweep folder (no design.json and design.csv)")
    if not table.exists():
        raise SweepFolderError(
            f"{root}: the sweep has not finished (no sweep.parquet); "
            "finish it with loyaltysim sweep FILE --out DIR --resume"
        )
    design = Design.from_json(json.loads(settings.read_text(encoding="utf-8")), pd.read_csv(points))
    return design, pd.read_parquet(table)
