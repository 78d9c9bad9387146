"""Time and peak memory of ``kg build`` on large inputs: is the cost linear, and what does the size limit bound?

    python bench/large_input.py [--copies 1 2 4 8] [--line-mib 1 4] [--lines 10000 40000]
                                [--article-lines 10000 40000] [--no-validate] [--reader-only] [--model-only]

Three kinds of large input, each written to a temporary folder and built by the
real command (``kg build FILE --out DIR --quiet``, in a subprocess whose peak
resident memory is read from ``wait4``):

* ``copies``: the default report (CDIP/32/3, zh) repeated k times, paragraphs
  and footnotes renumbered so that it stays a valid report (a long real report);
* ``long line``: a report whose first paragraph is a single line of about N MiB;
* ``many lines``: a report whose first paragraph is broken over N lines;
* ``article lines``: an article (no paragraph numbers) whose first paragraph is broken over N lines.

``--no-validate`` passes the same option to ``kg build`` (SHACL validation is
the part of a build that grows fastest with the size of one document).
``--reader-only`` times just the reader (decoding and structure) in this process,
which is what a long line or a paragraph of many lines stresses.
``--model-only`` times just kg's named-entity model component (kg/nlp/model_names.py) on each input's
text, as the Chinese pipeline configures it. spaCy's beam copies its states whole at every step, so on
one paragraph read whole its time grew with the square of the paragraph (issue 24, item 6); the
component reads a paragraph longer than its ``window`` (1,000 tokens) in sentence-ended pieces.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.resources import default_report  # noqa: E402

HEADER = "CDIP/99/1 \n\n原文：英文 \n\n日期：2025 年 1 月 2 日 \n\n测试报告 \n\n"
SENTENCE = "产权组织与世界卫生组织合作，促进实现具体目标 3.8 和 9.5。"
_PARAGRAPH = re.compile(r"^(\f? ?)(\d{1,4})\.(\s+\S.*)$")
_BARE_NUMBER = re.compile(r"^(\s*)(\d{1,3})(\s*)$")


def copies(k: int) -> str:
    """The default report with its body repeated ``k`` times (paragraphs and footnotes renumbered)."""
    lines = default_report().read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if _PARAGRAPH.match(line))
    footnotes = 6  # the report has six footnotes, marks and notes both written as bare numbers
    out, number = lines[:first], 0
    for copy in range(k):
        expected = 1
        for line in lines[first:]:
            match = _PARAGRAPH.match(line)
            if match and int(match.group(2)) == expected:
                expected += 1
                number += 1
                line = f"{match.group(1)}{number}.{match.group(3)}"
            match = _BARE_NUMBER.match(line)
            if match and 1 <= int(match.group(2)) <= footnotes:
                line = f"{match.group(1)}{int(match.group(2)) + footnotes * copy}{match.group(3)}"
            out.append(line)
    return "\n".join(out)


def long_line(mib: float) -> str:
    repeat = int(mib * 2**20 / len(SENTENCE.encode("utf-8")))
    return HEADER + "1. " + SENTENCE * repeat + "\n\n2. 第二段。\n"


def many_lines(lines: int) -> str:
    return HEADER + "1. " + "\n".join([SENTENCE] * lines) + "\n\n2. 第二段。\n"


def article_lines(lines: int) -> str:
    return "标题\n\n" + "\n".join([SENTENCE] * lines) + "\n\n最后一段。\n"


def measure(path: Path, out: Path, validate: bool = True) -> tuple[float, float, int]:
    """``(seconds, peak RSS in MiB, exit status)`` of ``kg build path``."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()",
                                "build", str(path), "--out", str(out), "--quiet", "--max-size", "1024",
                                "--validate" if validate else "--no-validate"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def reader_seconds(path: Path) -> tuple[float, int]:
    from kg.reader.select import read_document
    from kg.reader.source import read_source

    started = time.perf_counter()
    document = read_document(read_source(path, max_bytes=2**31))
    return time.perf_counter() - started, len(document.paragraphs)


def model_seconds(text: str) -> tuple[float, int, int]:
    """``(seconds, tokens, proposals)`` of kg's named-entity model component, as the Chinese pipeline
    configures it (data/pipelines/zh.cfg: a paragraph longer than its ``window`` read in pieces), on ``text``."""
    from kg.nlp.model_names import MODEL_SPANS
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline("zh")
    component = nlp.get_pipe("model_names")
    doc = nlp.make_doc(text)
    started = time.process_time()
    component(doc)
    return time.process_time() - started, len(doc), len(doc.spans[MODEL_SPANS])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="*", default=[1, 2, 4, 8])
    parser.add_argument("--line-mib", type=float, nargs="*", default=[1, 4])
    parser.add_argument("--lines", type=int, nargs="*", default=[10000, 40000])
    parser.add_argument("--article-lines", type=int, nargs="*", default=[])
    parser.add_argument("--no-validate", action="store_true", help="build with --no-validate")
    parser.add_argument("--reader-only", action="store_true", help="time the reader only, in this process")
    parser.add_argument("--model-only", action="store_true", help="time the named-entity model only, in this process")
    args = parser.parse_args()

    inputs = ([(f"copies x{k}", copies(k)) for k in args.copies]
              + [(f"long line {m:g} MiB", long_line(m)) for m in args.line_mib]
              + [(f"many lines {n}", many_lines(n)) for n in args.lines]
              + [(f"article lines {n}", article_lines(n)) for n in args.article_lines])
    if args.model_only:
        print("| input | MiB | tokens | proposals | CPU seconds | seconds per MiB |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, text in inputs:
            mib = len(text.encode("utf-8")) / 2**20
            seconds, tokens, proposals = model_seconds(text)
            print(f"| {name} | {mib:.2f} | {tokens} | {proposals} | {seconds:.1f} | {seconds / mib:.1f} |", flush=True)
        return 0
    if args.reader_only:
        print("| input | MiB | characters | paragraphs | reader seconds | seconds per MiB |")
        print("|---|---:|---:|---:|---:|---:|")
    else:
        print("| input | MiB | characters | seconds | peak RSS MiB | seconds per MiB | exit |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name, text in inputs:
            path = Path(folder) / "input.txt"
            path.write_text(text, encoding="utf-8")
            mib = path.stat().st_size / 2**20
            if args.reader_only:
                seconds, paragraphs = reader_seconds(path)
                print(f"| {name} | {mib:.2f} | {len(text)} | {paragraphs} | {seconds:.2f} | {seconds / mib:.2f} |",
                      flush=True)
            else:
                seconds, rss, status = measure(path, Path(folder) / "out", not args.no_validate)
                print(f"| {name} | {mib:.2f} | {len(text)} | {seconds:.1f} | {rss:.0f} | {seconds / mib:.1f} "
                      f"| {status} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
