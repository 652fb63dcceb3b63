"""Make text from imported files harmless wherever it is shown or exported.

Spreadsheet programs treat a cell starting with ``=``, ``+``, ``-`` or ``@`` (and tab/CR) as a formula
(CSV/formula injection); terminals act on control characters; Markdown turns ``[x](…)`` into links. Every
piece of text that came from a user's file passes through one of these helpers before it leaves the app.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def neutralise_formula(value: object) -> object:
    """Prefix a text cell with an apostrophe if a spreadsheet would run it as a formula; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Frame-level `neutralise_formula` for every text column (numbers stay numbers)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def printable(text: object, limit: int = 200) -> str:
    """One line of plain text: control and bidi-override characters removed, length capped."""
    cleaned = _CONTROL.sub("", str(text)).replace("\n", " ")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


# GitHub-flavoured Markdown links bare addresses even when every special character is escaped: a word
# joiner (invisible) before "://" and "@" and inside "www." keeps them plain text.
_AUTOLINK = re.compile(r"(?i)(?=:/)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def escape_markdown(text: object) -> str:
    """Text that Streamlit's Markdown shows literally (no links, images, HTML, emphasis or headings)."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, printable(text, limit=500))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)


def safe_filename(name: str, limit: int = 100) -> str:
    """A bare file name safe on disk and in Markdown: no folders, no control or link characters."""
    base = re.split(r"[\\/]", printable(name, limit=1000))[-1]
    cleaned = re.sub(r"[^\w .()-]+", "_", base, flags=re.UNICODE).strip(" .")
    cleaned = re.sub(r"_+", "_", cleaned)
    if len(cleaned) > limit:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (
            (stem[: limit - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 8 else cleaned[:limit]
        )
    return cleaned or "fil"
