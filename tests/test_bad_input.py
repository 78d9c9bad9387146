"""Every kind of bad input, run through the real ``kg`` command, with exactly what the user sees.

Each case writes its files into a folder of its own, runs ``kg`` there (paths in
messages are relative, so they read the same on every machine) and checks the
exit status, every line on stderr, and the outputs: an error leaves the earlier
outputs in ``out/`` byte for byte and no temporary file behind; a warning lets
the build finish and is listed in ``report.json``.

The same run renders ``docs/bad-input.md`` and checks the page against it, so the
page cannot go stale. After changing a message, regenerate it with

    KG_WRITE_DOCS=1 pytest tests/test_bad_input.py
"""

from __future__ import annotations

import codecs
import json
import os
import random
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from kg.build.output import atomic_write
from conftest import ROOT

PAGE = ROOT / "docs" / "bad-input.md"
HEADER = "CDIP/99/1 \n\n原文：英文 \n\n日期：2025 年 1 月 2 日 \n\n测试报告 \n\n"  # lines 1-8; paragraph 1 is line 9
EARLIER = {"graph.nq": b"<urn:earlier> <urn:p> <urn:o> <urn:g> .\n", "report.json": b'{"earlier": true}\n'}
# A one-triple graph for the kg validate cases.
GRAPH = b'<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n'


def report(*paragraphs: str, header: str = HEADER) -> str:
    return header + "\n\n".join(paragraphs) + "\n"


GOOD = report("1. 产权组织促进实现具体目标 4.4。", "2. 第二段。")


def replace_line(path: str, number: int, new: str) -> Callable[[Path], None]:
    """Change line ``number`` of a file of the data folder."""
    def change(data: Path) -> None:
        target = data / path
        lines = target.read_bytes().split(b"\n")
        lines[number - 1] = new.encode("utf-8") if isinstance(new, str) else new
        target.write_bytes(b"\n".join(lines))
    return change


def fifo(name: str) -> Callable[[Path], None]:
    """A named pipe no one writes to: reading it would wait for ever."""
    def make(folder: Path) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(folder / name)
    return make


def sparse(name: str, size: int) -> Callable[[Path], None]:
    """A file of ``size`` bytes that takes no room on disk (all zeros, never written)."""
    def make(folder: Path) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        with open(folder / name, "wb") as stream:
            stream.truncate(size)
    return make


def traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


# What the kg process is given before the command, where a test cannot arrange the real thing:
# a folder that cannot be listed (root may list any), a file that grows while kg reads it, less
# memory than a machine has (so that reading 8 GiB fails at once rather than after swapping).
UNREADABLE_FOLDER = """
import errno, os
_scandir = os.scandir
def _refuse(path="."):
    if os.path.basename(os.fspath(path)) == "locked":
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
    return _scandir(path)
os.scandir = _refuse
"""
GROWING_FILE = """
import os
_read = os.read
_grown = []
def _read_then_grow(fd, n):
    data = _read(fd, n)
    if data and not _grown and os.path.basename(os.readlink(f"/proc/self/fd/{fd}")) == "growing.txt":
        _grown.append(True)
        with open("growing.txt", "ab") as stream:
            stream.write("3. 又写了一段。\\n".encode())
    return data
os.read = _read_then_grow
"""
LITTLE_MEMORY = """
import resource
with open("/proc/self/statm") as statm:
    size = int(statm.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + 3 * 2**30, resource.RLIM_INFINITY))
"""
TWO_CPUS = "import os\nos.sched_getaffinity = lambda pid: {0, 1}\n"


def append_line(path: str, new: bytes) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        with (data / path).open("ab") as stream:
            stream.write(new)
    return change


@dataclass
class Case:
    kind: str  # the section of the page
    name: str  # the bad input, as the page names it
    args: tuple[str, ...]  # the kg command line, run in the case's folder
    files: dict[str, bytes | str] = field(default_factory=dict)
    data: Callable[[Path], None] | None = None  # changes a copy of data/, which KG_DATA points at
    status: int = 2
    stderr: tuple[str, ...] = ()  # every line kg writes to stderr
    encoding: str | None = None  # what report.json says was read …
    format: str = "report"  # … and how
    debug: bool = False  # the command runs with --debug: a traceback is expected
    setup: Callable[[Path], None] | None = None  # makes what files= cannot (a FIFO, a sparse file, a read-only folder)
    teardown: Callable[[Path], None] | None = None  # undoes it, so the folder can be removed
    # Python run in the kg process before the command, to stand in for what a test cannot arrange
    # for real (a file growing while it is read, a folder root may not read); kg's own code is not changed.
    preload: str = ""
    outputs: str | None = None  # what happens to out/, when not what the status implies

    @property
    def builds(self) -> bool:
        return self.status == 0 and self.args[:1] == ("build",)


R = "kg: error: "
HIGH = bytes(0x81 + b % 0x7E for b in range(256))  # any byte to one of 0x81-0xFE (a lead or trail byte in CJK encodings)
BIG5 = traditional(GOOD)
JAPANESE = report("1. 世界知的所有権機関は、技術移転を通じて目標 9 の達成に貢献しています。", "2. 二つ目の段落です。",
                  header="CDIP/99/1 \n\n")
KOREAN = report("1. 세계지식재산기구는 기술 이전을 통해 목표 9 달성에 기여하고 있습니다.", "2. 두 번째 단락입니다.",
                header="CDIP/99/1 \n\n")
CASES = [
    # -- report files --------------------------------------------------------------
    Case("report", "a file that does not exist", ("build", "missing.txt"), stderr=(R + "missing.txt: no such file",)),
    Case("report", "a folder with no report files", ("build", "reports"), {"reports/notes.md": "# notes\n"},
         stderr=(R + "reports: no report files (.txt) in this directory",)),
    Case("report", "an empty file", ("build", "empty.txt"), {"empty.txt": b""},
         stderr=(R + "empty.txt: empty file",)),
    Case("report", "a binary file (NUL bytes)", ("build", "image.txt"), {"image.txt": bytes(range(256)) * 8},
         stderr=(R + "image.txt: binary file (contains NUL bytes), not a text report",)),
    Case("report", "a binary file without NUL bytes (control characters)", ("build", "data.txt"),
         {"data.txt": bytes(range(1, 32)) * 64}, stderr=(R + "data.txt: binary file (control characters), not a text report",)),
    Case("report", "GBK (GB 2312/GB 18030) instead of UTF-8", ("build", "report.txt"),
         {"report.txt": GOOD.encode("gbk")}, status=0, encoding="gb18030"),
    Case("report", "UTF-16 with a byte-order mark", ("build", "report.txt"),
         {"report.txt": GOOD.encode("utf-16")}, status=0, encoding="utf-16"),
    Case("report", "UTF-16 without a byte-order mark", ("build", "report.txt"),
         {"report.txt": GOOD.encode("utf-16-be")}, status=0, encoding="utf-16-be"),
    Case("report", "Latin-1, neither UTF-8 nor Chinese", ("build", "report.txt"),
         {"report.txt": "CDIP/99/1\n\n1. Café crème.\n".encode("latin-1")},
         stderr=(R + "report.txt:3: not UTF-8 text: byte 0xe9 at offset 17 cannot be decoded (convert the file to UTF-8)",)),
    Case("report", "a UTF-16 byte-order mark, then bytes that are not UTF-16", ("build", "report.txt"),
         {"report.txt": codecs.BOM_UTF16_LE + "1. 第一段".encode("utf-16-le") + b"\x00\xdc"},
         stderr=(R + "report.txt: starts with a UTF-16 byte-order mark but is not valid UTF-16 (byte 14)",)),
    Case("report", "text without numbered paragraphs", ("build", "notes.txt"),
         {"notes.txt": report("这是一篇没有编号段落的文字。")}, status=0, encoding="utf-8", format="article"),
    Case("report", "text without numbered paragraphs, read as a report", ("build", "notes.txt", "--format", "report"),
         {"notes.txt": report("这是一篇没有编号段落的文字。")},
         stderr=(R + "notes.txt: no numbered paragraphs found (expected lines such as '1. ...')",)),
    Case("report", "a paragraph number missing", ("build", "report.txt"),
         {"report.txt": report("1. 一。", "2. 二。", "4. 四。")},
         stderr=(R + "report.txt:13: paragraph 3 is missing (paragraph 4 follows paragraph 2)",)),
    Case("report", "a paragraph number twice", ("build", "report.txt"),
         {"report.txt": report("1. 一。", "2. 二。", "2. 又是二。")},
         stderr=(R + "report.txt:13: paragraph 2 appears twice (first at line 11)",)),
    Case("report", "paragraph numbers out of order", ("build", "report.txt"),
         {"report.txt": report("1. 一。", "3. 三。", "2. 二。")},
         stderr=(R + "report.txt:11: paragraphs out of order: paragraph 3 comes before paragraph 2 (line 13)",)),
    Case("report", "an extremely long line (a 1 MiB paragraph on one line)", ("build", "long.txt"),
         {"long.txt": report("1. " + "这是一个很长的句子，没有提到任何组织。" * 18500, "2. 第二段。")}, status=0, encoding="utf-8"),
    Case("report", "a file over the size limit", ("build", "huge.txt", "--max-size", "1"),
         {"huge.txt": b"1. x\n" * (3 * 2**20 // 10)},
         stderr=(R + "huge.txt: file too large (1.5 MiB, the limit is 1.0 MiB; raise it with --max-size MIB)",)),
    Case("report", "the same report twice", ("build", "a.txt", "b.txt"), {"a.txt": GOOD, "b.txt": GOOD},
         stderr=(R + "b.txt: same document as a.txt (cdip-99-1-zh)",)),
    Case("report", "--out names a file", ("build", "report.txt", "--out", "report.txt"), {"report.txt": GOOD},
         stderr=(R + "report.txt: is a file, not an output directory (--out)",)),
    Case("report", "any of these with --debug", ("--debug", "build", "empty.txt"), {"empty.txt": b""}, status=1,
         stderr=("kg.errors.InputError: empty.txt: empty file",), debug=True),
    # -- encodings and what decodes as nonsense -----------------------------------------------
    Case("encoding", "Big5 (Traditional Chinese) instead of UTF-8", ("build", "report.txt"),
         {"report.txt": BIG5.encode("big5")}, status=0, encoding="big5"),
    Case("encoding", "Japanese in Shift_JIS", ("build", "report.txt"), {"report.txt": JAPANESE.encode("shift_jis")},
         stderr=(R + "report.txt: not UTF-8: this reads as Japanese text in Shift_JIS, and kg reads reports in "
                     "Chinese and English only",)),
    Case("encoding", "Korean in EUC-KR (whose bytes are also common GB 2312 characters)", ("build", "report.txt"),
         {"report.txt": KOREAN.encode("euc_kr")},
         stderr=(R + "report.txt: not UTF-8: this reads as Korean text in EUC-KR, and kg reads reports in Chinese "
                     "and English only",)),
    Case("encoding", "bytes that decode in a Chinese encoding but read as nonsense", ("build", "report.txt"),
         {"report.txt": b"CDIP/99/1\n\n1. " + random.Random(1).randbytes(1200).translate(HIGH) + b"\n"},
         stderr=(R + "report.txt: not UTF-8, and it reads as nonsense in every Chinese encoding (as GB 18030, only "
                     "41% of its Chinese characters are common ones): convert the file to UTF-8",)),
    Case("encoding", "UTF-8 decoded as GBK and saved again as UTF-8 (mojibake)", ("build", "report.txt"),
         {"report.txt": GOOD.encode("utf-8").decode("gb18030", errors="replace").encode("utf-8")},
         stderr=(R + "report.txt: reads as nonsense: only 18% of its 39 Chinese characters are common ones (text "
                     "decoded with the wrong encoding and saved again as UTF-8?); kg does not build from mojibake",)),
    Case("encoding", "UTF-8 decoded as Windows-1252 and saved again", ("build", "report.txt"),
         {"report.txt": "CDIP/99/1\n\n1. Café crème, naïve résumé, déjà vu.\n".encode("utf-8").decode("cp1252")
                        .encode("utf-8")},
         stderr=(R + "report.txt: reads as mojibake: UTF-8 that was decoded as cp1252 and saved again (it would read "
                     "'1. Café crème, naïve résumé, déjà vu.'); convert it back before building",)),
    # -- what would be read wrong without a word ------------------------------------------------
    Case("misread", "line ends that are a bare CR (classic Mac OS)", ("build", "report.txt"),
         {"report.txt": GOOD.replace("\n", "\r")}, status=0,
         stderr=("warning: report.txt: 11 line break(s) written as bare CR (classic Mac OS line ends): read as "
                 "line ends",)),
    Case("misread", "a paragraph number no report has (which would merge two paragraphs), a right-to-left override "
                    "that hides a target, a zero-width space inside a target", ("build", "report.txt"),
         {"report.txt": report("1. 第一段。", "123456789. 第二段。", "2. 产权组织促进实现具体目标 \u202e4.4\u202c。",
                               "3. 产权组织促进实现具体目标 4\u200b.4。")}, status=0,
         stderr=("warning: report.txt:13: invisible format character(s) in the text (U+202E RIGHT-TO-LEFT OVERRIDE, "
                 "U+202C POP DIRECTIONAL FORMATTING): the text may read differently from how it looks, and a "
                 "citation or name they split is not found",
                 "warning: report.txt:15: invisible format character(s) in the text (U+200B ZERO WIDTH SPACE): the "
                 "text may read differently from how it looks, and a citation or name they split is not found",
                 "warning: report.txt:11: paragraph 1: '123456789.' starts the line like a paragraph number, but no "
                 "report has 9-digit paragraph numbers: read as text of paragraph 1",)),
    Case("misread", "a NUL byte after the first 4 KiB", ("build", "report.txt"),
         {"report.txt": report("1. " + "第一段的文字。" * 300, "2. 第二段\x00。")},
         stderr=(R + "report.txt:11: binary data: a NUL character at offset 2158; a text report has none",)),
    Case("misread", "a file that grows while it is read", ("build", "growing.txt"), {"growing.txt": GOOD},
         preload=GROWING_FILE,
         stderr=(R + "growing.txt: changed while it was being read (141 bytes when opened, 163 read, 163 now); "
                     "build again once it is complete",)),
    # -- special files, names and folders -----------------------------------------------------
    Case("files", "a named pipe (FIFO)", ("build", "pipe.txt"), setup=fifo("pipe.txt"),
         stderr=(R + "pipe.txt: is a FIFO (named pipe), not a report file: kg reads regular files only",)),
    Case("files", "a named pipe in a folder", ("build", "reports"), {"reports/a.txt": GOOD},
         setup=fifo("reports/b.txt"),
         stderr=(R + "reports/b.txt: is a FIFO (named pipe), not a report file: kg reads regular files only",)),
    Case("files", "a device", ("build", "/dev/zero", "--store"),
         stderr=(R + "/dev/zero: is a character device, not a report file: kg reads regular files only",)),
    Case("files", "an 8 GiB file in a folder, built into a store", ("build", "reports", "--store"),
         setup=sparse("reports/huge.txt", 8 * 2**30), preload=LITTLE_MEMORY,
         stderr=(R + "reports/huge.txt: file too large (8192.0 MiB, the limit is 4.0 MiB; raise it with --max-size "
                     "MIB)",)),
    Case("files", "a subfolder that cannot be read", ("build", "reports"),
         {"reports/a.txt": GOOD, "reports/locked/b.txt": GOOD}, preload=UNREADABLE_FOLDER,
         stderr=(R + "reports/locked: cannot read this folder: Permission denied (its reports would be left out)",)),
    Case("files", "a file name that is not UTF-8", ("build", "reports"), {"reports/r\udcff.txt": GOOD},
         stderr=(R + "reports/r\\xff.txt: the file name is not valid UTF-8 (kg writes names into its outputs as "
                     "UTF-8): rename it",)),
    Case("files", "terminal escape sequences in a file name", ("build", "\x1b]0;owned\x07\x1b[2J.txt"),
         {"\x1b]0;owned\x07\x1b[2J.txt": b""},
         stderr=(R + "\\x1b]0;owned\\x07\\x1b[2J.txt: empty file",)),
    Case("files", "Rich markup and emoji codes in a file name", ("build", "[bold red]x[/bold red] :smile:.txt"),
         {"[bold red]x[/bold red] :smile:.txt": b""},
         stderr=(R + "[bold red]x[/bold red] :smile:.txt: empty file",)),
    # -- options and output folders ---------------------------------------------------------
    Case("options", "--out empty", ("build", "report.txt", "--out", ""), {"report.txt": GOOD},
         stderr=(R + "--out must name a directory (it is empty)",)),
    Case("options", "--out inside a file", ("build", "report.txt", "--out", "report.txt/out"), {"report.txt": GOOD},
         stderr=(R + "report.txt/out: cannot use as the output directory (--out): Not a directory",)),
    Case("options", "--out a directory no one may write into", ("build", "report.txt", "--out", "/sys"),
         {"report.txt": GOOD}, stderr=(R + "/sys: cannot write: Operation not permitted",)),
    Case("options", "--max-size far larger than any file", ("build", "report.txt", "--max-size", "9" * 30),
         {"report.txt": report("1. 一。", "3. 三。")},
         stderr=(R + "report.txt:11: paragraph 2 is missing (paragraph 3 follows paragraph 1)",)),
    Case("options", "--jobs far more than the CPUs", ("build", "missing.txt", "--jobs", "32"), preload=TWO_CPUS,
         stderr=("warning: --jobs 32 is more than the 2 CPU(s) this build may use: 2 worker process(es)",
                 R + "missing.txt: no such file")),
    Case("options", "kg query --param with bytes that are not UTF-8",
         ("query", "programmes-for-target", "--param", "target=4.\udcff", "--from", "graph.nq"), {"graph.nq": GRAPH},
         stderr=(R + "--param target=4.\\xff: not UTF-8 text (write the value in UTF-8)",)),
    Case("options", "kg query --format in another command's spelling", ("query", "--file", "q.rq", "--from", "graph.nq",
                                                                     "--format", "n-quads"),
         {"q.rq": "SELECT * WHERE { ?s ?p ?o }\n", "graph.nq": GRAPH},
         stderr=(R + "--format nquads is for graphs; this query gives a table of results (use table, csv, tsv, json "
                     "or xml)",)),
    Case("options", "kg serve --port out of range", ("serve", "--from", "graph.nq", "--port", "99999"),
         {"graph.nq": GRAPH}, stderr=(R + "--port must be between 0 and 65535 (0: any free port), not 99999",)),
    Case("options", "kg serve --timeout nan", ("serve", "--from", "graph.nq", "--timeout", "nan"), {"graph.nq": GRAPH},
         stderr=(R + "--timeout must be more than 0 seconds and at most 86400, not nan",)),
    Case("options", "kg serve --timeout inf", ("serve", "--from", "graph.nq", "--timeout", "inf"), {"graph.nq": GRAPH},
         stderr=(R + "--timeout must be more than 0 seconds and at most 86400, not inf",)),
    Case("options", "kg publish to a URL with a line break", ("publish", "--from", "graph.nq", "--endpoint",
                                                          "http://user:secret@127.0.0.1:9/store\r\nX-Injected: 1"),
         {"graph.nq": GRAPH},
         stderr=(R + "--endpoint http://…@127.0.0.1:9/store\\r\\nX-Injected: 1: a URL cannot hold spaces, line breaks or "
                     "control characters (write a space as %20)",)),
    Case("options", "kg publish with a negative timeout", ("publish", "--from", "graph.nq", "--endpoint",
                                                       "http://127.0.0.1:9/store", "--timeout", "-1"),
         {"graph.nq": GRAPH}, stderr=(R + "--timeout must be a number of seconds above 0, not -1",)),
    # -- what the report gets wrong: a warning, and the build goes on --------------------
    Case("warning", "a target that does not exist", ("build", "report.txt"),
         {"report.txt": report("1. 产权组织促进实现具体目标 4.4 和 9.6。", "2. 第二段。")}, status=0,
         stderr=("warning: report.txt:9: paragraph 1: SDG target 9.6 does not exist (not linked)",)),
    Case("warning", "a section heading that names a goal that does not exist", ("build", "report.txt"),
         {"report.txt": report("1. 第一段。", "可持续发展目标 18：并不存在的目标", "2. 第二段。")}, status=0,
         stderr=("warning: report.txt:11: section heading names goal 18, which does not exist",)),
    Case("warning", "a footnote mark with no footnote", ("build", "report.txt"),
         {"report.txt": report("1. 第一段的文字\n7\n在脚注标记之后继续。", "2. 第二段。")}, status=0,
         stderr=("warning: report.txt:10: paragraph 1: footnote mark 7 has no footnote",)),
    Case("warning", "a footnote with no mark", ("build", "report.txt"),
         {"report.txt": report("1. 第一段。", "2. 第二段。\n \n3\n  没有标记的脚注。")}, status=0,
         stderr=("warning: report.txt:13: footnote 3 has no mark in the text",)),
    Case("warning", "a footnote number used twice", ("build", "report.txt"),
         {"report.txt": report("1. 第一段的文字\n1\n继续。", "2. 第二段。\n \n1\n  第一个脚注。\n \n1\n  又一个脚注 1。")}, status=0,
         stderr=("warning: report.txt:18: footnote 1 appears twice (first at line 15); this one is left out",)),
    Case("warning", "a date that cannot be read", ("build", "report.txt"),
         {"report.txt": report("1. 第一段。", "2. 第二段。", header=HEADER.replace("2025 年 1 月 2 日", "二〇二五年一月"))}, status=0,
         stderr=("warning: report.txt:5: cannot read the date '二〇二五年一月'",)),
    # -- data files (a copy of data/, KG_DATA=data) ------------------------------------
    Case("data", "registry: a kind that does not exist", ("build", "report.txt"), {"report.txt": GOOD},
         data=replace_line("registry/organisations.csv", 3, "who,agency,World Health Organization,WHO,世界卫生组织,,,,,,,,UN"),
         stderr=(R + "data/registry/organisations.csv:3: kind 'agency' is not one of: un-body, igo, ngo, ip-office, "
                     "government, university, research, company, fund, bank, other",)),
    Case("data", "registry: a row with a field too few", ("build", "report.txt"), {"report.txt": GOOD},
         data=replace_line("registry/programmes.csv", 2, "patentscope,database,PATENTSCOPE"),
         stderr=(R + "data/registry/programmes.csv:2: row has 3 field(s), expected 10 (id, kind, name_en, acronym, "
                     "name_zh, aliases_zh, aliases_en, wikidata, note, source)",)),
    Case("data", "registry: a quote that is never closed", ("build", "report.txt"), {"report.txt": GOOD},
         data=append_line("registry/organisations.csv", b'x-org,igo,"X Organisation,X,X,,,,,,,\n'),
         stderr=(R + "data/registry/organisations.csv:{end}: malformed CSV: unexpected end of data",)),
    Case("data", "registry: not UTF-8", ("build", "report.txt"), {"report.txt": GOOD},
         data=append_line("registry/organisations.csv", "x-org,igo,Organisation X\xe9,X,X,,,,,,,\n".encode("latin-1")),
         stderr=(R + "data/registry/organisations.csv:{end}: not UTF-8: byte 0xe9 cannot be decoded",)),
    Case("data", "gazetteer: an alias of a place that does not exist", ("build", "report.txt"), {"report.txt": GOOD},
         data=append_line("gazetteers/place_aliases.csv", "XYZ,zh,某地,,\n".encode()),
         stderr=(R + "data/gazetteers/place_aliases.csv:{end}: unknown place key 'XYZ'",)),
    Case("data", "gazetteer: an alias in a language kg does not read", ("build", "report.txt"), {"report.txt": GOOD},
         data=append_line("gazetteers/place_aliases.csv", b"HKG,fr,Hong Kong,,\n"),
         stderr=(R + "data/gazetteers/place_aliases.csv:{end}: language 'fr' is not one of: en, zh",)),
    Case("data", "gazetteer: an M49 row with a broken code", ("build", "report.txt"), {"report.txt": GOOD},
         data=lambda data: (data / "vocab/datahub-UNSD-m49-cn.csv").write_text(
             (data / "vocab/datahub-UNSD-m49-cn.csv").read_text(encoding="utf-8").replace('"004","AF","AFG"', '"4x","AF","AFG"'),
             encoding="utf-8"),
         stderr=(R + "data/vocab/datahub-UNSD-m49-cn.csv:144: M49 Code '4x', ISO-alpha3 Code 'AFG', Country or Area "
                     "'阿富汗': expected 1-3 digits, three capital letters and a name",)),
    Case("data", "SDG vocabulary: a Turtle syntax error", ("build", "report.txt"), {"report.txt": GOOD},
         data=append_line("vocab/lod4stats-sdg-kos-goals-targets-indicators.ttl", b'<urn:a> <urn:b> "open\n'),
         stderr=(R + "data/vocab/lod4stats-sdg-kos-goals-targets-indicators.ttl:{end}: not valid turtle: "
                     "newline found in string literal",)),
    Case("data", "lexicon: a TOML syntax error", ("build", "report.txt"), {"report.txt": GOOD},
         data=replace_line("lexicon/zh.toml", 13, "paragraph = '^(\\d{1,4})\\.\\s+(\\S.*)$"),
         stderr=(R + "data/lexicon/zh.toml:13: not valid TOML: Found invalid character '\\n' (column 36)",)),
    # -- shapes and graphs (kg validate) ---------------------------------------------
    Case("shapes", "a shape file with a Turtle syntax error", ("validate", "--shapes", "broken.ttl", "graph.nq"),
         {"broken.ttl": "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ;\n  sh:targetClass <urn:C>\n",
          "graph.nq": GRAPH},
         stderr=(R + "broken.ttl:3: not valid turtle: EOF found after object",)),
    Case("shapes", "a shape whose SPARQL does not parse", ("validate", "--shapes", "sparql.ttl", "graph.nq"),
         {"sparql.ttl": "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ;\n"
                        "  sh:targetNode <http://example.org/a> ;\n"
                        "  sh:sparql [ sh:select \"SELECT $this WHERE { FILTER( }\" ] .\n", "graph.nq": GRAPH},
         stderr=(R + "sparql.ttl: the shapes cannot be used: Expected SelectQuery, found 'FILTER'",)),
    Case("shapes", "a shape with a value of the wrong type, with --check-shapes",
         ("validate", "--check-shapes", "--shapes", "typed.ttl", "graph.nq"),
         {"typed.ttl": "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ;\n"
                       "  sh:targetClass <http://example.org/C> ;\n"
                       "  sh:property [ sh:path <http://example.org/p> ; sh:minCount \"one\" ] .\n", "graph.nq": GRAPH},
         stderr=(R + "typed.ttl: not valid SHACL (1 problem(s); first: sh:minCount one: Value is not Literal with "
                     "datatype xsd:integer)",)),
    Case("shapes", "a shapes folder with no shape files", ("validate", "--shapes", "shapes", "graph.nq"),
         {"shapes/README.md": "no shapes here\n", "graph.nq": GRAPH},
         stderr=(R + "shapes: no shape files (*.ttl) in this directory",)),
    Case("shapes", "a graph file that is not N-Quads", ("validate", "graph.nq"), {"graph.nq": b"<urn:a> <urn:b\n"},
         stderr=(R + "graph.nq: not valid nquads: Invalid line (Failed to eat <([^:]+:[^\\s\"<>]*)> at <urn:b):",)),
    # -- stored queries (kg query --file) ---------------------------------------------
    Case("query", "a .rq file with a syntax error", ("query", "--file", "broken.rq", "--from", "graph.nq"),
         {"broken.rq": "SELECT ?s WHERE {\n  ?s ?p\n}\n", "graph.nq": GRAPH},
         stderr=(R + "broken.rq:2: SPARQL syntax error at column 3: Expected SelectQuery, found '?'",)),
    Case("query", "a .rq file that is an update", ("query", "--file", "drop.rq", "--from", "graph.nq"),
         {"drop.rq": "DROP ALL\n", "graph.nq": GRAPH},
         stderr=(R + "drop.rq:1: DROP is a SPARQL update and updates are refused: kg only answers queries",)),
    Case("query", "a .rq file that calls another host", ("query", "--file", "service.rq", "--from", "graph.nq"),
         {"service.rq": "SELECT * WHERE {\n  SERVICE <http://example.org/sparql> { ?s ?p ?o }\n}\n", "graph.nq": GRAPH},
         stderr=(R + "service.rq:2: SERVICE is refused: kg answers from its own graph and does not query other hosts",)),
    Case("query", "a .rq file that is not UTF-8", ("query", "--file", "latin.rq", "--from", "graph.nq"),
         {"latin.rq": 'SELECT * WHERE { ?s ?p "caf\xe9" }\n'.encode("latin-1"), "graph.nq": GRAPH},
         stderr=(R + "latin.rq: not UTF-8 text (byte 27)",)),
    Case("query", "a .rq file that is a named pipe", ("query", "--file", "pipe.rq", "--from", "graph.nq"),
         {"graph.nq": GRAPH}, setup=fifo("pipe.rq"),
         stderr=(R + "pipe.rq: is a FIFO (named pipe), not a query file: kg reads regular files only",)),
    Case("query", "a device as the .rq file", ("query", "--file", "/dev/zero", "--from", "graph.nq"), {"graph.nq": GRAPH},
         stderr=(R + "/dev/zero: is a character device, not a query file: kg reads regular files only",)),
    Case("query", "a device as the graph", ("query", "--file", "q.rq", "--from", "/dev/zero"),
         {"q.rq": "SELECT * WHERE { ?s ?p ?o }\n"},
         stderr=(R + "/dev/zero: is not a regular file (a FIFO or a device?), not an RDF file",)),
    Case("shapes", "a shape whose SPARQL calls another host (SERVICE)", ("validate", "--engine", "pyshacl", "--shapes",
                                                                       "service.ttl", "graph.nq"),
         {"service.ttl": "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ;\n"
                         "  sh:targetNode <http://example.org/a> ;\n"
                         "  sh:sparql [ sh:select \"SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                         "{ $this ?p ?o } }\" ] .\n", "graph.nq": GRAPH},
         stderr=(R + "service.ttl: the shapes cannot be used: the SPARQL of shape <urn:s> is refused: SERVICE is "
                     "refused: kg answers from its own graph and does not query other hosts",)),
    Case("shapes", "--report empty", ("validate", "graph.nq", "--report", ""), {"graph.nq": GRAPH},
         stderr=(R + "--report must name a file, or '-' for standard output (it is empty)",)),
]


@dataclass
class Outcome:
    case: Case
    status: int
    stderr: list[str]
    outputs: str  # what happened to out/


def _prepare(case: Case, folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True)
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    if case.setup is not None:
        case.setup(folder)
    out = folder / "out"
    if not out.exists():
        out.mkdir()
        for name, content in EARLIER.items():
            (out / name).write_bytes(content)
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("KG_DATA", None)
    if case.data is not None:
        shutil.copytree(ROOT / "data", folder / "data")
        case.data(folder / "data")
        env["KG_DATA"] = "data"
    return env


def _place(warning: dict) -> str:
    """Where a warning of report.json is, written as the command writes it."""
    place = warning["file"] + (f":{warning['line']}" if warning["line"] is not None else "")
    return place + (f": paragraph {warning['paragraph']}" if warning["paragraph"] is not None else "")


def _snapshot(out: Path) -> dict[str, bytes]:
    """What a reader of ``out`` sees: each output's bytes (through kg's links), kg's own folder by name."""
    return {p.name: p.read_bytes() if p.is_file() else b"<dir>" for p in sorted(out.iterdir())} if out.is_dir() else {}


def run(case: Case, folder: Path) -> Outcome:
    env = _prepare(case, folder)
    out = folder / "out"
    before = _snapshot(out)
    args = list(case.args)
    if args[0] == "build" and "--out" not in args:
        args += ["--out", "out", "--quiet"]
    process = subprocess.run([sys.executable, "-c", case.preload + "\nfrom kg.cli import main; main()", *args],
                             capture_output=True, text=True, cwd=folder, env=env, errors="surrogateescape",
                             timeout=600)
    if case.teardown is not None:
        case.teardown(folder)
    status, stderr = process.returncode, process.stderr.splitlines()
    if case.debug:
        assert stderr[0] == "Traceback (most recent call last):", process.stderr
        stderr = stderr[-1:]
    after = _snapshot(out)
    if case.builds or (status == 0 and "report.json" in after and after != before):
        written = json.loads(after["report.json"])
        if len(written["documents"]) > 1:
            return Outcome(case, status, stderr, f"written; report.json lists {len(written['documents'])} documents")
        (document,) = written["documents"]
        listed = [f"warning: {_place(w)}: {w['message']}" for w in document["warnings"]]
        if listed != stderr:
            return Outcome(case, status, stderr, f"report.json lists other warnings: {listed}")
        outputs = f'written; report.json: "encoding": "{document["encoding"]}", "format": "{document["format"]}"'
        if document["warnings"]:
            outputs = "written; the warning is in report.json"
        return Outcome(case, status, stderr, outputs)
    if after != before:
        return Outcome(case, status, stderr, "CHANGED the earlier outputs")
    if [p for p in out.iterdir() if p.name.startswith(".")]:
        return Outcome(case, status, stderr, "left a temporary file behind")
    return Outcome(case, status, stderr, "earlier outputs unchanged" if "build" in case.args else "nothing written")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> list[Outcome]:
    root = tmp_path_factory.mktemp("bad-input")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda item: run(item[1], root / f"case-{item[0]:02d}"), enumerate(CASES)))


def _expected(case: Case) -> list[str]:
    """The expected lines. ``data/FILE:{end}`` is the line a row appended to that shipped file
    lands on, which grows with the file."""
    def end(match: re.Match) -> str:
        lines = (ROOT / match.group(1)).read_bytes().count(b"\n") + 1
        return f"{match.group(1)}:{lines}"

    return [re.sub(r"(data/[\w./-]+):\{end\}", end, line) for line in case.stderr]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c in CASES])
def test_what_the_user_sees(outcomes, index):
    outcome = outcomes[index]
    case = outcome.case
    assert (outcome.status, outcome.stderr) == (case.status, _expected(case))
    assert not any("Traceback" in line for line in outcome.stderr) or case.debug
    if case.outputs:
        assert outcome.outputs == case.outputs
    elif case.encoding:
        assert outcome.outputs == (f'written; report.json: "encoding": "{case.encoding}", '
                                   f'"format": "{case.format}"')
    elif case.builds:
        assert outcome.outputs == "written; the warning is in report.json"
    else:
        assert outcome.outputs == ("earlier outputs unchanged" if "build" in case.args else "nothing written")


SECTIONS = {
    "report": "Report files (`kg build`)",
    "encoding": "Encodings, and text that decodes but reads as nonsense (`kg build`)",
    "misread": "What would be read wrong without a word (`kg build`)",
    "files": "Special files, names and folders (`kg build`)",
    "options": "Options and output folders",
    "warning": "What the report gets wrong: a warning with its place, and the build goes on",
    "data": "Data files (a copy of `data/` that `KG_DATA` points at)",
    "shapes": "Shapes and graphs (`kg validate`)",
    "query": "Queries of one's own (`kg query --file`)",
}


def _cell(text: str) -> str:
    # Control characters, and bytes of a name that are not UTF-8, written as escapes (\\x1b, \\xff), as kg
    # shows them: the page shows what was typed, it does not act on a terminal.
    from kg.cli.console import printable

    text = printable(text)
    return "`" + text.replace("|", "\\|") + "`" if text else ""


def render(outcomes: list[Outcome]) -> str:
    lines = [
        "# Bad input: what kg does with it",
        "",
        "<!-- Generated by tests/test_bad_input.py, which runs every case below through the `kg` command",
        "     and fails if this page differs from what it saw. Regenerate: KG_WRITE_DOCS=1 pytest tests/test_bad_input.py -->",
        "",
        "A bad input file stops the command with one line on stderr, `kg: error: FILE[:LINE]: message`, and exit",
        "status 2 (1 when a graph does not conform to the shapes); no traceback unless `kg --debug`. Nothing is",
        "written: the outputs of an earlier build stay as they were, byte for byte (every case below checks it).",
        "What the report itself gets wrong but can be read past is a `warning:` line with its place (file, line,",
        "paragraph), the build goes on, and `report.json` lists the warning. File names and values are shown",
        "with control characters escaped (`\\x1b`), never read as markup. What kg guarantees against hostile",
        "input, and the attacks that check it: [security.md](security.md).",
        "",
        "Encodings: UTF-8 is the norm; a byte-order mark selects UTF-8, UTF-16 or UTF-32; UTF-16 without one is",
        "recognised by where its zero bytes fall; a file that is not UTF-8 is read as GB 18030 (so GBK and",
        "GB 2312 too), Big5, code page 950 or Big5-HKSCS when it decodes strictly into plausible Chinese (its Han",
        "characters the common ones). Japanese and Korean encodings are named and refused; text that decodes",
        "but reads as nonsense (mojibake) is refused. Anything else is refused, naming the first byte that does",
        "not decode. `report.json` says which encoding was read (`\"encoding\"`).",
        "",
        "Size and kind: a report file over `--max-size` MiB (default 4; `KG_MAX_SIZE`) is refused before it is",
        "read, and no more than the limit is ever read, in every build mode; FIFOs, devices and sockets are",
        "refused, not waited on; a file that changes while it is read is refused. The reader's time is linear in",
        "the size of the file, however long its lines (`python bench/large_input.py --reader-only`).",
        "",
        "Outputs: a build writes a new generation of its outputs (`OUT/.kg/`) and switches to it in one atomic",
        "step, so a failed, interrupted or killed build leaves the previous outputs whole; two builds into one",
        "`--out` exclude each other.",
        "",
        "Shapes: pySHACL passes over a constraint it cannot use (`sh:minCount \"one\"`) without a word;",
        "`kg validate --check-shapes` first checks the `--shapes` files against SHACL's shapes for shapes",
        "(SHACL-SHACL), which is slow for large files and so not done unless asked.",
    ]
    for kind, title in SECTIONS.items():
        lines += ["", f"## {title}", "", "| bad input | command | what the user sees | exit | outputs |",
                  "|---|---|---|---:|---|"]
        for outcome in outcomes:
            case = outcome.case
            if case.kind != kind:
                continue
            command = _cell("kg " + " ".join(case.args)) + (" with `KG_DATA=data`" if case.data else "")
            seen = "<br>".join(_cell(line) for line in outcome.stderr) or "(nothing)"
            if case.debug:
                seen = f"a traceback, ending {seen}"
            lines.append(f"| {case.name} | {command} | {seen} | {outcome.status} | {outcome.outputs} |")
    return "\n".join(lines) + "\n"


def test_the_page_lists_every_case(outcomes):
    page = render(outcomes)
    if os.environ.get("KG_WRITE_DOCS"):
        atomic_write(PAGE, page.encode("utf-8"))
    assert PAGE.read_text(encoding="utf-8") == page, (
        "docs/bad-input.md is out of date: KG_WRITE_DOCS=1 pytest tests/test_bad_input.py")
