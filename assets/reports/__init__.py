"""The nightly CSV reports: writing them safely for spreadsheets and delivering them by e-mail or folder."""

from assets.reports.columns import REPORT_COLUMNS, SUMMARY_COLUMNS
from assets.reports.csv_safety import neutralise_cell
from assets.reports.delivery import DeliveryResult, copy_reports, deliver, send_reports
from assets.reports.mail import SmtpSettings
from assets.reports.writer import ReportFiles, write_reports

__all__ = [
    "REPORT_COLUMNS",
    "SUMMARY_COLUMNS",
    "DeliveryResult",
    "ReportFiles",
    "SmtpSettings",
    "copy_reports",
    "deliver",
    "neutralise_cell",
    "send_reports",
    "write_reports",
]
