"""A report as a file to download: PDF or XLSX, named after the report and its period."""

from __future__ import annotations

from fastapi.responses import Response

from hub.core.i18n import pick, translatable
from hub.reports.model import Report
from hub.reports.pdf import report_pdf
from hub.reports.xlsx import report_xlsx
from shared.errors import DataError

TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_file(report: Report, fmt: str, lang: str) -> bytes:
    if fmt not in TYPES:
        raise translatable(
            DataError, "there is no {fmt!r} download", "choose pdf or xlsx", fmt=fmt[:10]
        )
    return (report_pdf if fmt == "pdf" else report_xlsx)([report], pick(lang))


def file_name(report: Report, fmt: str) -> str:
    who = report.filters.get("reseller", "")
    safe = "".join(c for c in who if c.isalnum() or c in "-_")
    return f"{report.kind}-{report.period}{'-' + safe if safe else ''}.{fmt}"


def download(report: Report, fmt: str, lang: str) -> Response:
    data = render_file(report, fmt, lang)
    return Response(
        data,
        media_type=TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(report, fmt)}"',
            "Cache-Control": "private, no-store",
        },
    )
