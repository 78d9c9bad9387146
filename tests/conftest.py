from __future__ import annotations

from pathlib import Path

import pytest

from kg.build.result import BuildResult
from kg.build.run import build
from kg.reader.model import Document
from kg.reader.report import read_report_file
from kg.resources import default_report

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
MULTILINGUAL = ROOT / "tests" / "data" / "multilingual"


@pytest.fixture(scope="session")
def report() -> Document:
    """The embedded default report, read once for the whole test session."""
    return read_report_file(default_report())


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[BuildResult, Path]:
    """``kg build`` of the default report (through the Python API), once per session."""
    out = tmp_path_factory.mktemp("built")
    return build([], out), out


@pytest.fixture(scope="session")
def mixed(tmp_path_factory) -> tuple[BuildResult, Path]:
    """One ``kg build`` of the mixed folder (two editions of a report, an English article, a
    Traditional Chinese article, a bilingual text: tests/data/multilingual), once per session."""
    out = tmp_path_factory.mktemp("mixed")
    return build([MULTILINGUAL], out), out


def write_report(tmp_path: Path, paragraphs: list[str], *, name: str = "report.txt",
                 header: str = "CDIP/99/1 \n\n原文：英文 \n\n日期：2025 年 1 月 2 日 \n\n测试报告 \n\n",
                 encoding: str = "utf-8") -> Path:
    """A small report in the layout of the PDF extraction (blank line between lines)."""
    path = tmp_path / name
    path.write_text(header + "\n\n".join(paragraphs) + "\n", encoding=encoding)
    return path
