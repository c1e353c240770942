"""The catalogue spreadsheet: one row per variant, in CSV (csv module) or XLSX (openpyxl).

Columns (export writes them in this order; import accepts any order, unknown columns are errors):

  product_slug          the product's key (upsert by slug)
  product_name, product_type (type slug), category (category slug; created if missing),
  sku_prefix, base_price, description (rich-text HTML), live, featured, seo_title,
  search_description, images (Wagtail image ids separated by "|")
  attr:<slug>           a product attribute's value (choice: value slug; multiple choice: slugs
                        separated by "|"; number; boolean yes/no; text)
  sku                   the variant's key (upsert by SKU); empty for a product without variants
  option:<slug>         a variant attribute's value slug (every variant attribute of the type)
  price (empty: the product's base price), stock, weight, low_stock_threshold, active

A product's own columns are read from its first row; later rows of the same product may repeat
them or leave them empty.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

PRODUCT_COLUMNS = [
    "product_slug", "product_name", "product_type", "category", "sku_prefix", "base_price", "description",
    "live", "featured", "seo_title", "search_description", "images",
]
VARIANT_COLUMNS = ["sku", "price", "stock", "weight", "low_stock_threshold", "active"]
KNOWN_COLUMNS = set(PRODUCT_COLUMNS) | set(VARIANT_COLUMNS)
ATTR_PREFIX, OPTION_PREFIX = "attr:", "option:"


class FileFormatError(ValueError):
    pass


def detect_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise FileFormatError("Upload a .csv or .xlsx file.")


def read_rows(fileobj, *, fmt: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]], int]:
    """(header, iterator of (row number, {column: text}), number of data rows). Row 1 is the header."""
    if fmt == "csv":
        raw = fileobj.read()
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        rows = list(csv.reader(io.StringIO(text, newline="")))
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(fileobj, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [["" if v is None else _cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        raise FileFormatError(f"Unknown format {fmt!r}.")
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise FileFormatError("The file is empty.")
    header = [h.strip() for h in rows[0]]

    def iterate():
        for number, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            yield number, {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if name}

    return header, iterate(), len(rows) - 1


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_rows(header: list[str], rows: list[dict[str, str]], *, fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(name, "") for name in header])
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Catalogue")
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(name, "") for name in header])  # text cells: a round trip keeps "15.00"
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise FileFormatError(f"Unknown format {fmt!r}.")
