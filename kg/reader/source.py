"""Reading a file into text: encodings, byte-order marks, and refusing what is not text.

What is guaranteed (docs/bad-input.md lists every case):

* **Bounded.** No more than ``max_bytes`` (``kg build --max-size``) is ever read: a file whose
  size says it is larger is refused before a byte is read, and a file that grows while it is
  read is cut off one byte past the limit and refused. Only regular files are read: a FIFO, a
  device (``/dev/zero``), a socket is refused after a ``stat``, and the file is opened with
  ``O_NONBLOCK``, so nothing can make the reader wait.
* **Read whole or not at all.** A file that changes while it is read (its size or
  modification time differ before and after, or fewer bytes came than it held) is refused;
  nothing is built from a torn read.
* **Encodings.** UTF-8 is the norm; a byte-order mark selects UTF-8, UTF-16 or UTF-32; UTF-16
  without one is recognised by where its zero bytes fall. A file that is not UTF-8 is tried
  strictly as each legacy CJK encoding (GB 18030, Big5 and its Windows and Hong Kong forms,
  Shift_JIS, EUC-JP, EUC-KR), and a Chinese reading is only taken when its characters are the
  ones Chinese text is made of (:func:`common_share`: in real texts at least 95% of the Han
  characters are among the 3,755 commonest Simplified and 5,401 commonest Traditional ones;
  in a file decoded with the wrong Chinese encoding, under 65%). Japanese and Korean are
  recognised and refused by name; anything else is refused naming the first byte that is not
  UTF-8. Text that decodes as UTF-8 but reads as mojibake (UTF-8 decoded in a legacy encoding
  and saved again) is refused too: kg never builds from nonsense.
* **Not text.** NUL bytes anywhere, or many control characters, are refused.
* **Silent misreads made loud.** Line ends that are a bare CR (classic Mac OS) or Unicode line
  and paragraph separators are read as line breaks (same length, so every offset still points
  at the same character) and a warning says so; invisible format characters (bidirectional
  overrides and isolates, zero-width spaces and joiners, soft hyphens …), which can hide a
  citation or a name from the reader while the text looks right on screen, are a warning
  with their line.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, ReportWarning
from kg.language.characters import is_cjk, is_han

DEFAULT_MAX_MIB = 4
DEFAULT_MAX_BYTES = DEFAULT_MAX_MIB * 2**20
CHUNK = 2**20  # bytes read at a time

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    sha256: str
    encoding: str
    warnings: tuple[ReportWarning, ...] = ()  # what reading the file noticed (line ends, format characters)

    @property
    def name(self) -> str:
        return self.path.name


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    return controls > max(2, len(sample) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """The encoding of UTF-16 text that lacks a byte-order mark, or None.

    In UTF-16 every ASCII character (digits, spaces, line breaks) has a zero
    byte on the same side of its pair; in binary data zero bytes fall on both
    sides alike.
    """
    sample = data[:8192]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(data) % 2 or even + odd < 4:
        return None
    if odd >= 9 * even:
        return "utf-16-le"
    if even >= 9 * odd:
        return "utf-16-be"
    return None


# --- legacy CJK encodings ------------------------------------------------------------

# Chinese encodings, in the order a tie is settled; each name is the one report.json gives.
CHINESE_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs")
JAPANESE_ENCODINGS = ("shift_jis", "cp932", "euc_jp")
KOREAN_ENCODINGS = ("euc_kr",)
_NAMES = {"gb18030": "GB 18030", "big5": "Big5", "cp950": "Big5 (Windows code page 950)",
          "big5hkscs": "Big5-HKSCS", "shift_jis": "Shift_JIS", "cp932": "Shift_JIS (Windows code page 932)",
          "euc_jp": "EUC-JP", "euc_kr": "EUC-KR"}
# The share of common characters below which a Chinese reading is nonsense. Real texts (the 453
# Chinese texts of data/annotated, Simplified and Traditional) have at least 0.947, median 1.0;
# Big5 read as GB 18030 has 0.63, GB read as Big5 0.57, UTF-8 read as GB 18030 0.29.
PLAUSIBLE = 0.85
MOJIBAKE = 0.6  # a UTF-8 text whose Han characters are this uncommon is mojibake saved as UTF-8
_MIN_HAN = 20  # fewer Han characters than this say too little to call a UTF-8 text mojibake


def _block(codec: str, leads: range, trails: list[int]) -> set[str]:
    found = set()
    for lead in leads:
        for trail in trails:
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                pass
    return found


@functools.cache
def common_characters() -> frozenset[str]:
    """The commonest Han characters, Simplified and Traditional: GB 2312's first level (3,755
    characters, by frequency) and Big5's first level (5,401), taken from Python's own codecs."""
    gb = _block("gb2312", range(0xB0, 0xD8), list(range(0xA1, 0xFF)))
    big5 = _block("big5", range(0xA4, 0xC6), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    big5 |= _block("big5", range(0xC6, 0xC7), list(range(0x40, 0x7F)))
    return frozenset(gb | big5)


def common_share(text: str, sample: int = 200_000) -> tuple[float, int]:
    """The share of ``text``'s Han characters that are common ones, and how many Han characters it has."""
    common = common_characters()
    han = [c for c in text[:sample] if is_han(c)]
    if not han:
        return 1.0, 0
    return sum(c in common for c in han) / len(han), len(han)


def _share(text: str, test) -> float:
    letters = [c for c in text[:200_000] if ord(c) > 0x7F and c.isalpha()]
    return sum(map(test, letters)) / len(letters) if letters else 0.0


def _kana(char: str) -> bool:
    return 0x3040 <= ord(char) <= 0x30FF


def _hangul(char: str) -> bool:
    return 0xAC00 <= ord(char) <= 0xD7A3


def _strict(data: bytes, encodings: tuple[str, ...]) -> dict[str, str]:
    readings = {}
    for encoding in encodings:
        try:
            readings[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return readings


def _other_language(data: bytes, chinese: str | None) -> tuple[str, str] | None:
    """``(language, encoding)`` when ``data`` reads as Japanese or Korean text."""
    japanese = _strict(data, JAPANESE_ENCODINGS)
    korean = _strict(data, KOREAN_ENCODINGS)
    found = [("Japanese", e, t) for e, t in japanese.items() if _share(t, _kana) >= 0.1][:1]
    found += [("Korean", e, t) for e, t in korean.items() if _share(t, _hangul) >= 0.3][:1]
    if not found:
        return None
    if chinese is None:
        return found[0][:2]
    # The bytes read as plausible Chinese and as Japanese or Korean: a character-frequency model
    # decides (EUC-KR Hangul falls on GB 2312's commonest characters, byte for byte).
    from charset_normalizer import from_bytes
    best = from_bytes(data, cp_isolation=[chinese, *(e for _, e, _ in found)]).best()
    if best is not None and best.encoding != chinese:
        return next(((language, e) for language, e, _ in found if e == best.encoding), None)
    return None


def _legacy(data: bytes, path: Path, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    chinese = _strict(data, CHINESE_ENCODINGS)
    scored = sorted(((-common_share(text)[0], CHINESE_ENCODINGS.index(e), e) for e, text in chinese.items()))
    best = scored[0][2] if scored else None
    share = -scored[0][0] if scored else 0.0
    plausible = best if share >= PLAUSIBLE else None
    other = _other_language(data, plausible)
    if other is not None:
        language, encoding = other
        raise InputError(f"not UTF-8: this reads as {language} text in {_NAMES[encoding]}, and kg reads reports "
                         "in Chinese and English only", path=path)
    if plausible is not None:
        return chinese[plausible], plausible
    if best is not None:
        raise InputError(f"not UTF-8, and it reads as nonsense in every Chinese encoding (as {_NAMES[best]}, "
                         f"only {share:.0%} of its Chinese characters are common ones): convert the file to "
                         "UTF-8", path=path)
    line = data.count(b"\n", 0, utf8_error.start) + 1
    raise InputError(f"not UTF-8 text: byte 0x{data[utf8_error.start]:02x} at offset "
                     f"{utf8_error.start} cannot be decoded (convert the file to UTF-8)",
                     path=path, line=line) from None


# What UTF-8 decoded as Windows-1252 or Latin-1 is made of: "Ã©" for "é", "â€™" for "’".
_CP1252_HIGH = frozenset(bytes(range(0x80, 0x100)).decode("cp1252", errors="ignore") + bytes(range(0x80, 0x100)).decode("latin-1"))


def _check_mojibake(text: str, path: Path) -> None:
    """Refuse UTF-8 text that is mojibake: bytes decoded with the wrong encoding and saved again."""
    share, han = common_share(text)
    if han >= _MIN_HAN and share < MOJIBAKE:
        raise InputError(f"reads as nonsense: only {share:.0%} of its {han} Chinese characters are common ones "
                         "(text decoded with the wrong encoding and saved again as UTF-8?); kg does not build "
                         "from mojibake", path=path)
    if sum(c in _CP1252_HIGH for c in text[:200_000]) >= 6:
        for encoding in ("cp1252", "latin-1"):
            try:
                repaired = text.encode(encoding).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if repaired != text:
                sample = next((line.strip() for line in repaired.splitlines() if any(ord(c) > 0x7F for c in line)),
                              repaired.strip())
                raise InputError(f"reads as mojibake: UTF-8 that was decoded as {encoding} and saved again "
                                 f"(it would read '{sample[:40]}'); convert it back before building", path=path)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``.

    UTF-8 is the norm. A byte-order mark selects UTF-8/16/32, and UTF-16
    without one is recognised by where its zero bytes fall. Legacy Chinese files (GB 18030 and
    so GBK and GB 2312; Big5, code page 950, Big5-HKSCS) are read when they decode strictly
    into plausible Chinese; Japanese and Korean encodings are named and refused; anything else
    is refused with the offending byte named.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {encoding.upper()} byte-order mark but is not valid "
                                 f"{encoding.upper()} (byte {exc.start})", path=path) from None
    if b"\x00" in data[:4096]:
        encoding = _utf16_without_bom(data)
        if encoding is not None:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = None
            if text is not None and not _looks_binary(text):
                return text, encoding
        raise InputError("binary file (contains NUL bytes), not a text report", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        return _legacy(data, path, utf8_error)
    _check_mojibake(text, path)
    return text, "utf-8"


# --- what the text holds that reads differently from how it looks -----------------------

# Line breaks other than \n that str.split("\n") would not see: a bare CR (classic Mac OS), NEL,
# and Unicode's line and paragraph separators. Each is one character, replaced by \n in place.
_OTHER_BREAKS = re.compile("\r(?!\n)|[\u0085\u2028\u2029]")
_MAX_PLACES = 10  # warnings of one kind listed one by one, then summed up


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    at = find("\n")
    while at != -1:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


@functools.cache
def _format_characters() -> re.Pattern:
    """Unicode's format characters (category Cf: bidirectional controls, zero-width spaces and
    joiners, soft hyphens, tag characters …): invisible, and they change how a text reads."""
    ranges: list[list[int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Cf":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


def normalise(text: str, path: Path) -> tuple[str, list[ReportWarning]]:
    """``text`` with other line breaks as ``\\n`` (same length), and the warnings reading it calls for."""
    warnings: list[ReportWarning] = []
    where = str(path)
    breaks = _OTHER_BREAKS.findall(text)
    if breaks:
        kinds = sorted({{"\r": "bare CR (classic Mac OS line ends)", "\u0085": "NEL (U+0085)",
                         "\u2028": "LINE SEPARATOR (U+2028)", "\u2029": "PARAGRAPH SEPARATOR (U+2029)"}[b]
                        for b in breaks})
        text = _OTHER_BREAKS.sub("\n", text)
        warnings.append(ReportWarning(where, f"{len(breaks)} line break(s) written as {', '.join(kinds)}: "
                                             "read as line ends"))
    found = list(_format_characters().finditer(text))
    if found:
        starts = _line_starts(text)
        by_line: dict[int, list[str]] = {}
        for match in found:
            by_line.setdefault(bisect.bisect_right(starts, match.start()), []).append(match.group())
        lines = sorted(by_line)
        if lines == [1] and by_line[1] == ["\ufeff"] and text.startswith("\ufeff"):
            lines = []  # a byte-order mark the codec left (utf-8 without -sig); harmless
        for line in lines[:_MAX_PLACES]:
            chars = list(dict.fromkeys(by_line[line]))
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'FORMAT CHARACTER')}" for c in chars[:3])
            warnings.append(ReportWarning(where, f"invisible format character(s) in the text ({names}): the "
                                                 "text may read differently from how it looks, and a citation or "
                                                 "name they split is not found", line=line))
        if len(lines) > _MAX_PLACES:
            warnings.append(ReportWarning(where, f"invisible format characters on {len(lines) - _MAX_PLACES} "
                                                 "more line(s)"))
    return text, warnings


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _too_large(path: Path, size: int | None, max_bytes: int) -> InputError:
    actual = f"{_mib(size)}, " if size is not None else ""
    return InputError(f"file too large ({actual}the limit is {_mib(max_bytes)}; "
                      "raise it with --max-size MIB)", path=path)


def source_from_bytes(data: bytes, path: Path) -> Source:
    """The text of a report file's bytes; every way they can fail is a one-line :class:`InputError`."""
    path = Path(path)
    if not data.strip():
        raise InputError("empty file", path=path)
    text, encoding = decode(data, path)
    if _looks_binary(text):
        raise InputError("binary file (control characters), not a text report", path=path)
    nul = text.find("\x00")
    if nul != -1:
        raise InputError(f"binary data: a NUL character at offset {nul}; a text report has none",
                         path=path, line=text.count("\n", 0, nul) + 1)
    if not text.strip():
        raise InputError("empty file (only whitespace)", path=path)
    text, warnings = normalise(text, path)
    return Source(path=path, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding,
                  warnings=tuple(warnings))


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str | None:
    """What a file that is not a regular file or a directory is ("a FIFO …"), or None."""
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def check_path(path: Path) -> None:
    """Refuse a path kg cannot name in its outputs: one that is not valid UTF-8."""
    text = str(path)
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        raise InputError("the file name is not valid UTF-8 (kg writes names into its outputs as UTF-8): "
                         "rename it", path=path)


def read_bounded(path: Path, max_bytes: int, what: str = "report file") -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them, read whole and unchanged.

    Refused (a one-line :class:`InputError`): a missing file, a directory, anything but a regular
    file (never opened in a way that waits), a file over the limit (before reading), a file that
    changes while it is read.
    """
    path = Path(path)
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if stat.S_ISDIR(before.st_mode):
        raise InputError(f"is a directory, not a {what}", path=path)
    kind = file_kind(before.st_mode)
    if kind is not None:
        raise InputError(f"is {kind}, not a {what}: kg reads regular files only", path=path)
    if before.st_size > max_bytes:
        raise _too_large(path, before.st_size, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        opened = os.fstat(fd)
        kind = file_kind(opened.st_mode)
        if kind is not None or (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise InputError(f"changed while it was being opened (now {kind or 'another file'}); try again",
                             path=path)
        parts, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        after = os.fstat(fd)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    finally:
        os.close(fd)
    # The size was within the limit when the file was opened: more bytes than that, fewer, or
    # another modification time, and the file changed while it was read.
    if size != opened.st_size or after.st_size != opened.st_size or after.st_mtime_ns != opened.st_mtime_ns:
        read = f"more than {max_bytes}" if size > max_bytes else str(size)
        raise InputError(f"changed while it was being read ({opened.st_size} bytes when opened, {read} read, "
                         f"{after.st_size} now); build again once it is complete", path=path)
    return b"".join(parts), after


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a report file of at most ``max_bytes``; every way it can fail is a one-line :class:`InputError`."""
    path = Path(path)
    check_path(path)
    data, _ = read_bounded(path, max_bytes)
    return source_from_bytes(data, path)


def file_digest(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """The SHA-256 of a report file, read under the same rules as :func:`read_source` (None when it
    cannot be read: reading it again reports why, in one line)."""
    try:
        check_path(path)
        data, _ = read_bounded(path, max_bytes)
    except InputError:
        return None
    return hashlib.sha256(data).hexdigest()
