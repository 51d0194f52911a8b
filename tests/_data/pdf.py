"""TEST HELPER: the text of a PDF printed by Chromium (Skia), page by page, without a PDF library.

Enough of PDF for the files our reports produce: objects with direct
``/Length``, Flate-compressed content streams, fonts with a ``/ToUnicode``
CMap (``bfchar`` / ``bfrange``) and text shown by ``Tj`` / ``TJ`` with hex
strings, fonts chosen by ``Tf``. Used to check page numbers, headers and that
no hostile text reaches a PDF as anything but text.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from pathlib import Path

__all__ = ["pdf_pages", "pdf_text", "pdf_objects"]

_OBJ = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)?\s*(stream\r?\n)?", re.S)


def pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decompressed stream or None)."""
    out = {}
    pos = 0
    while True:
        m = re.compile(rb"(\d+) 0 obj\s*").search(data, pos)
        if not m:
            return out
        num, start = int(m.group(1)), m.end()
        end = data.find(b"endobj", start)
        body = data[start:end]
        s = body.find(b"stream")
        if s >= 0 and body[:s].rstrip().endswith(b">>"):
            head = body[:s]
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            k = start + s + len(b"stream")
            k += 2 if data[k : k + 2] == b"\r\n" else 1
            raw = data[k : k + length]
            end = data.find(b"endobj", k + length)
            if b"/FlateDecode" in head:
                try:
                    raw = zlib.decompress(raw)
                except zlib.error:
                    pass
            out[num] = (head, raw)
        else:
            out[num] = (body, None)
        pos = end + 6


def _cmap(text: bytes) -> dict[int, str]:
    out = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


def _ref(d: bytes, key: bytes) -> int | None:
    m = re.search(re.escape(key) + rb"\s+(\d+) 0 R", d)
    return int(m.group(1)) if m else None


def pdf_pages(path: str | Path) -> list[str]:
    """The text of each page, in page order (the page tree's /Kids order)."""
    objs = pdf_objects(Path(path).read_bytes())
    pages = [n for n, (d, _) in sorted(objs.items()) if re.search(rb"/Type\s*/Page(?!s)", d)]
    kids = [n for d, _ in objs.values() if re.search(rb"/Type\s*/Pages", d)
            for n in map(int, re.findall(rb"(\d+) 0 R", re.search(rb"/Kids\s*\[(.*?)\]", d, re.S).group(1)))]  # fmt: skip
    order = [n for n in kids if n in pages] or pages
    cmaps: dict[int, dict[int, str]] = {}
    texts = []
    for n in order:
        d = objs[n][0]
        res = d
        rn = _ref(d, b"/Resources")
        if rn is not None:
            res = objs[rn][0]
        fonts = {}
        fm = re.search(rb"/Font\s*<<(.*?)>>", res, re.S)
        if fm:
            for name, fnum in re.findall(rb"/(\w+)\s+(\d+) 0 R", fm.group(1)):
                fnum = int(fnum)
                tu = _ref(objs[fnum][0], b"/ToUnicode")
                if tu is not None and tu not in cmaps:
                    cmaps[tu] = _cmap(objs[tu][1] or b"")
                fonts[name] = cmaps.get(tu, {})
        contents = re.search(rb"/Contents\s*(\[.*?\]|\d+ 0 R)", d, re.S).group(1)
        stream = b"\n".join(objs[int(c)][1] or b"" for c in re.findall(rb"(\d+) 0 R", contents))
        out, cmap = [], {}
        for tok in re.finditer(
            rb"/(\w+)\s+[\d.]+\s+Tf|(<[0-9A-Fa-f]*>|\[.*?\])\s*T[jJ]|\bT\*|\bET\b", stream, re.S
        ):
            if tok.group(1):
                cmap = fonts.get(tok.group(1), {})
            elif tok.group(2):
                for h in re.findall(rb"<([0-9A-Fa-f]*)>", tok.group(2)):
                    out.extend(cmap.get(int(h[i : i + 4], 16), "?") for i in range(0, len(h), 4))
            else:
                out.append(" ")
        # NFKC: the ligatures the browser sets ("ﬁ") read as their letters
        texts.append(unicodedata.normalize("NFKC", "".join(out)))
    return texts


def pdf_text(path: str | Path) -> str:
    """All pages' text, joined by form feeds."""
    return "\f".join(pdf_pages(path))
