"""Writing the trend of a night into its report folder: `trend.csv` and `trend.png`, each replaced whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.reports.atomic import replacing_file
from assets.reports.csv_safety import write_spreadsheet_csv


@dataclass(frozen=True)
class TrendFiles:
    """The trend files of a night, in its report folder."""

    csv: Path
    chart: Path

    @classmethod
    def in_folder(cls, folder: Path) -> TrendFiles:
        """The trend files in the report folder `folder`."""
        return cls(Path(folder) / "trend.csv", Path(folder) / "trend.png")

    @property
    def paths(self) -> tuple[Path, ...]:
        """Both files, the CSV first."""
        return (self.csv, self.chart)


def write_trend(trend: pl.DataFrame, chart_png: bytes, folder: Path) -> TrendFiles:
    """Write the trend table as a spreadsheet-safe CSV (UTF-8 with BOM, CRLF) and its chart into `folder`."""
    files = TrendFiles.in_folder(folder)
    with replacing_file(files.csv) as temp, temp.open("wb") as handle:
        write_spreadsheet_csv(handle, trend)
    with replacing_file(files.chart) as temp:
        temp.write_bytes(chart_png)
    return files
