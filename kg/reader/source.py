"""Reading a file into text: encodings, byte-order marks, and refusing what is not text."""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.text import is_cjk

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

    @property
    def name(self) -> str:
        return self.path.name


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    return controls > max(2, len(sample) // 200)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``.

    UTF-8 is the norm. A byte-order mark selects UTF-8/16/32. Legacy Chinese
    files (GBK, GB2312, GB18030) are read as GB18030 when they decode cleanly and
    read as Chinese; anything else is refused with the offending byte named.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {encoding.upper()} byte-order mark but is not valid "
                                 f"{encoding.upper()} (byte {exc.start})", path=path) from None
    if b"\x00" in data[:4096]:
        raise InputError("binary file (contains NUL bytes), not a text report", path=path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            letters = [c for c in text[:20000] if c.isalpha()]
            if letters and sum(map(is_cjk, letters)) / len(letters) > 0.5:
                return text, "gb18030"
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise InputError(f"not UTF-8 text: byte 0x{data[utf8_error.start]:02x} at offset "
                         f"{utf8_error.start} cannot be decoded (convert the file to UTF-8)",
                         path=path, line=line) from None


def read_source(path: Path) -> Source:
    """Read a report file; every way it can fail is a one-line :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path=path)
    if path.is_dir():
        raise InputError("is a directory, not a report file", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    if not data.strip():
        raise InputError("empty file", path=path)
    text, encoding = decode(data, path)
    if _looks_binary(text):
        raise InputError("binary file (control characters), not a text report", path=path)
    if not text.strip():
        raise InputError("empty file (only whitespace)", path=path)
    return Source(path=path, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding)
