"""Opens XLSX files with openpyxl (a real spreadsheet reader) and prints, as JSON, what a
spreadsheet sees in each: sheet names, frozen panes, the filter range, and every cell's type
(s string, n number, b boolean, d date-time, f formula) and value. Used by
crates/shiftlog-server/tests/export_spreadsheet.rs."""
import datetime
import json
import sys

import openpyxl


def cell(c):
    v = c.value
    if isinstance(v, (datetime.datetime, datetime.date)):
        v = v.isoformat()
    return {"t": c.data_type, "v": v}


out = {}
for path in sys.argv[1:]:
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        sheets.append({
            "name": ws.title,
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "rows": [[cell(c) for c in row] for row in ws.iter_rows()],
        })
    out[path] = sheets
json.dump(out, sys.stdout)
