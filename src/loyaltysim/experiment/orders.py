"""``orders.parquet``: the transaction log of a run, written in chunks as the run goes.

Each replication writes its own part (``parts/<variant>/<k>.orders.parquet``) while it runs,
a chunk every :data:`CHUNK_DAYS` days, so memory holds at most a few weeks of orders however
many customers and days; the finished run merges the parts, in variant and replication
order, into ``orders.parquet`` one row group at a time. Days are the model's days: negative
during the warm-up (a customer's history starts there), 0 the first recorded day.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel

#: Days of orders held in memory before they are written.
CHUNK_DAYS = 28
#: The file name in a result folder.
ORDERS_FILE = "orders.parquet"


class OrderWriter:
    """Writes one replication's orders to ``path`` (atomically: complete or absent)."""

    def __init__(self, path: Path, variant: str, replication: int) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.tag = {"replication": replication, "variant": variant}
        self.writer: pq.ParquetWriter | None = None

    def write(self, model: LoyaltyModel) -> None:
        """Write and forget what the model's order log holds."""
        assert model.order_log is not None
        frame = model.order_log.take()
        table = _unified(pa.Table.from_pandas(_tagged(frame, self.tag), preserve_index=False))
        if self.writer is None:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.tmp, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self, model: LoyaltyModel) -> None:
        """The run is over: parcels still on their way are logged too; the part is done."""
        assert model.order_log is not None
        model.order_log.record(model.parcels.pop_all())
        self.write(model)
        assert self.writer is not None
        self.writer.close()
        os.replace(self.tmp, self.path)


def _tagged(frame: pd.DataFrame, tag: dict[str, object]) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "variant", pd.Categorical([tag["variant"]] * len(frame)))
    out.insert(0, "replication", pd.array([tag["replication"]] * len(frame), dtype="int32"))
    return out


def part_path(root: Path, variant: str, replication: int) -> Path:
    """Where replication ``replication`` of ``variant`` writes its orders under ``root``."""
    return root / "parts" / variant / f"{replication:06d}.orders.parquet"


def merge(parts: list[Path], dest: Path) -> None:
    """Concatenate the parts into ``dest``, one row group at a time (atomically)."""
    tmp = dest.with_name(dest.name + ".tmp")
    writer: pq.ParquetWriter | None = None
    try:
        for part in parts:
            source = pq.ParquetFile(part)
            for group in range(source.num_row_groups):
                table = source.read_row_group(group)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    if writer is not None:
        os.replace(tmp, dest)


def _unified(table: pa.Table) -> pa.Table:
    """Categories as plain strings, so every chunk and part shares one schema."""
    columns = {}
    for name in table.column_names:
        column = table[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        columns[name] = column
    return pa.table(columns)


def read_orders(folder: str | Path) -> pd.DataFrame:
    """The transaction log of a result folder (one row per order; see ``docs/metrics.md``)."""
    path = Path(folder) / ORDERS_FILE
    frame = pd.read_parquet(path)
    for name in ("variant", "shop", "outcome"):
        frame[name] = frame[name].astype("category")
    return frame
