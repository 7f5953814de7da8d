"""Workbooks as a user uploads them: built in memory, returned as the bytes of an XLSX file."""

import io

from openpyxl import Workbook


def xlsx(sheets):
    """A workbook with one sheet per `{name: rows}` entry, in order, each row a list of cells."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    return saved(book)


def saved(book):
    """The bytes of `book` as it would be saved to disk."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
