"""Printed output: HTML to PDF with WeasyPrint behind a safe URL fetcher, QR codes, slips."""
from survey.printing.pdf import SafeURLFetcher, render_document, render_pdf, render_print_template
from survey.printing.qr import qr_data_uri, qr_matrix, qr_svg
from survey.printing.slips import Slip, household_slips_pdf

__all__ = [
    "SafeURLFetcher", "Slip", "household_slips_pdf", "qr_data_uri", "qr_matrix", "qr_svg",
    "render_document", "render_pdf", "render_print_template",
]
