"""Small spreadsheets the tests build themselves, in the shapes analysts and DfE produce."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook


def xlsx(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def long_rows(values: dict[tuple[str, str], object], la_code: str | None = None) -> list[list[object]]:
    rows: list[list[object]] = [["la_code", "kpi", "period", "value"]]
    for (kpi, period), value in values.items():
        rows.append([la_code, kpi, period, value])
    return rows


def messy_wide() -> bytes:
    """A council scorecard as it really looks: title, merged cells, extra columns, spacers, footnotes, `c`."""
    return xlsx(
        {
            "Cover": [["Anyshire children's services"], ["Monthly performance report"]],
            "Scorecard": [
                ["Anyshire scorecard: September and October 2026"],
                [],
                ["Indicator", "Polarity", "Target", "England", "Stat neighbours", date(2026, 9, 1), "Oct-26"],
                ["Front door"],
                ["Assessments within 45 working days", "High", 90, 85.7, 84.1, 88.2, "91.5%"],
                [],
                ["Care leavers in B&B", "Low", 0, None, None, "c", "[c]"],
                ["SW_AGENCY_PCT", "Low", 15, 13, 14, 15.1, 14.9],
                [],
                ["Notes: c = suppressed small number. Source: case-management system."],
            ],
        },
        merges={"Scorecard": ["A1:G1"]},
    )


def dfe_tidy_csv() -> bytes:
    frame = pd.DataFrame(
        [
            ["2025", "Reporting year", "National", "E92000001", "England", "", "", "", "", "", 36186.3, 13.0, 15.2],
            ["2025", "Reporting year", "Regional", "E92000001", "England", "E12000001", "North East", "", "", "",
             2299.3, 8.2, 16.5],
            ["2025", "Reporting year", "Local authority", "E92000001", "England", "E12000001", "North East", "841",
             "E06000047", "County Durham", 300.5, "c", 17.1],
            ["2024", "Reporting year", "Local authority", "E92000001", "England", "E12000001", "North East", "841",
             "E06000047", "County Durham", 290.0, 9.5, 17.9],
        ],
        columns=["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
                 "region_name", "old_la_code", "new_la_code", "la_name", "inpost_fte", "agency_rate_fte",
                 "caseload_fte"],
    )
    return frame.to_csv(index=False).encode("utf-8-sig")


def rezip(workbook: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          method: int = 8) -> bytes:
    """The same zip package with some parts replaced or added, to make hostile or unusual workbooks."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (the container of .xls and of password-protected Office files).

    Version 3, 512-byte sectors: a FAT sector, a directory sector, then each
    stream padded to at least 4096 bytes so it lives in the main FAT.
    """
    import struct

    sector = 512
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(streams) <= 3, "one directory sector holds the root and three streams"
    fat = [fat_sector, end]
    body, starts = b"", []
    for content in streams.values():
        padded = content.ljust(max(4096, -(-len(content) // sector) * sector), b"\x00")
        first = len(fat)
        count = len(padded) // sector
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        starts.append((first, len(padded)))
        body += padded
    assert len(fat) <= sector // 4
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, right, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))

    names = list(streams)
    directory = entry("Root Entry", 5, no_stream, 1 if names else no_stream, end, 0)
    for i, (name, (start, size)) in enumerate(zip(names, starts)):
        directory += entry(name, 2, i + 2 if i + 1 < len(names) else no_stream, no_stream, start, size)
    directory = directory.ljust(sector, b"\x00")
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    return header + fat_bytes + directory + body


def ods(sheets: dict[str, list[list[object]]]) -> bytes:
    """A minimal OpenDocument spreadsheet (LibreOffice's format): numbers as floats, the rest as text."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>' \
                   "</table:table-cell>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def xlsm_with_macro(rows: list[list[object]], saved_values: dict[str, tuple[str, object]]) -> bytes:
    """A macro-enabled workbook: the xlsm content type, a (dummy) VBA project, and formula cells whose
    saved results are given as {cell: (formula, saved value)}, so a test can tell saved values from recalculation.
    """
    import re
    import zipfile

    workbook = xlsx({"Data": rows})
    parts = {}
    source = zipfile.ZipFile(io.BytesIO(workbook))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    for ref, (formula, value) in saved_values.items():
        sheet, replaced = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)',
                                  f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>', sheet, count=1)
        assert replaced == 1, f"cell {ref} must hold something in rows"
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    types = source.read("[Content_Types].xml").decode()
    parts["[Content_Types].xml"] = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        "</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>').encode()
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", '<Relationship Id="rIdVba" Target="vbaProject.bin" '
        'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>').encode()
    return rezip(workbook, parts, {"xl/vbaProject.bin": ole2({"VBA": b"Sub AutoOpen()\r\nShell \"calc\"\r\nEnd Sub"})})


DFE_AREA_COLUMNS = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                    "region_code", "region_name", "old_la_code", "la_name", "new_la_code"]


def dfe_cla_csv(councils: list[tuple[str, str, str]], year: int = 2025) -> bytes:
    """A DfE children-looked-after download's shape (one row per area and population type) with made-up
    figures, for councils given as (old code, new code, name)."""
    populations = ["Children looked after on 31 March each year", "Children starting to be looked after each year"]
    rows = []
    for p, population in enumerate(populations):
        rows.append([str(year), "Reporting year", "National", "E92000001", "England", "", "", "", "", "",
                     population, 12_000_000, 80_000 - 40_000 * p, 66 - 30 * p])
        for i, (old, new, name) in enumerate(councils):
            rows.append([str(year), "Reporting year", "Local authority", "E92000001", "England", "E12000009",
                         "Demo region", old, name, new, population, 100_000 + i,
                         "c" if (i, p) == (0, 1) else 500 + 10 * i - 300 * p, 50 + i])
    frame = pd.DataFrame(rows, columns=DFE_AREA_COLUMNS + ["population_type", "population_estimate",
                                                           "children_count", "rate_per_10000"])
    return frame.to_csv(index=False).encode("utf-8-sig")


def dfe_neighbours_csv(groups: dict[str, list[str]], names: dict[str, str]) -> bytes:
    """A DfE statistical-neighbours table's wide shape: each council's old code then SN_1..SN_10 with closeness."""
    columns = ["old_la_code", "la_name", "region_ind", "region_name"]
    for rank in range(1, 11):
        columns += [f"SN_{rank}", f"SN_{rank}P"]
    rows = []
    for old, neighbours in groups.items():
        row: list[object] = [old, names.get(old, old), 9, "Demo region"]
        for rank in range(10):
            row += [neighbours[rank], "Close "] if rank < len(neighbours) else ["", ""]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns).to_csv(index=False).encode("utf-8-sig")


TEAMS = ("North", "South", "East", "West")


def team_return(last: str = "2026-10", months: int = 12) -> list[list[object]]:
    """A long return of assessments in 45 days and caseloads by four teams (and the whole council), in which the
    East team's assessments fall away over the last four months: what an assistant director drills into."""
    rows: list[list[object]] = [["kpi", "period", "team", "value"]]
    periods = pd.date_range(end=last, periods=months, freq="MS").strftime("%Y-%m")
    for i, period in enumerate(periods):
        east = 88.0 - max(0, i - (months - 5)) * 7.5
        by_team = {"North": 91.0 + (i % 3) * 0.8, "South": 89.5 + (i % 2), "East": east, "West": 92.4 - (i % 4) * 0.5}
        rows.append(["Assessments completed within 45 working days", period, None,
                     round(sum(by_team.values()) / len(by_team), 1)])
        for team in TEAMS:
            rows.append(["Assessments completed within 45 working days", period, team, round(by_team[team], 1)])
            rows.append(["SW_CASELOAD", period, team, 15 + TEAMS.index(team) + (i % 3)])
    return rows
