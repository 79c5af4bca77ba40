"""Cells of the CSV files the platform serves, safe to open in a spreadsheet (CSV formula injection, CWE-1236).

The rule, for every text cell of every CSV served (the audit inputs and the statement's CSV): a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return, which a spreadsheet would run as a formula, gets a single quote
`'` in front; so does a cell that already starts with `'`, so that the rule is reversible: **a text cell starting
with `'` had one added; drop exactly that one to get the stored value.** Numeric cells (integers, amounts, ids) are
never changed: they are written as digits, and a negative amount never occurs. Everything else (hex hashes and
addresses, ISO dates, ISRCs) starts with a letter or digit and is written as it is.

Lines end with `\n`; a cell holding a carriage return is quoted (with its whole line), which Python's csv writer
would not do by itself with that line end, so a `\r` can never split a row for a reader.

The statement's hash covers its canonical JSON, not the CSV: the CSV is a rendering of it, content-addressed
like it, and the rule above is how to read its text cells back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def safe_cell(value: object) -> object:
    """`value` as it goes into a CSV cell: text neutralised by the rule above, anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def original_cell(text: str) -> str:
    """The stored value of a text cell read from one of our CSV files (the rule's inverse)."""
    return text[1:] if text.startswith("'") else text


def safe_row(row: Iterable[object]) -> tuple[list[object], bool]:
    """The row's cells made safe, and whether the row must be written fully quoted (a cell holds a `\r`)."""
    cells = [safe_cell(value) for value in row]
    return cells, any(isinstance(value, str) and "\r" in value for value in cells)
