"""Intake: identify a document by its content, convert it to PDF, and check it the way the court will.

`prepare` (one file) and `prepare_many` (several, converted in one run) answer `Ready` with a
court-ready PDF or `Refused` with a message for the document's row; `DocumentConverter.detect()`
finds Microsoft Word and LibreOffice on this computer, LibreOffice behind a queue that batches the
runs of documents added together and never starts more than the computer can spare.
`TextRecognition` makes a scanned PDF searchable (OCRmyPDF and Tesseract, in a process of its own).
"""

from app.services.intake.batching import LibreOfficeQueue, spare_runs
from app.services.intake.convert import DocumentConverter, MicrosoftWord, word_installed
from app.services.intake.files import create_private_file, make_workdir
from app.services.intake.intake import Converter, IntakeItem, prepare, prepare_many
from app.services.intake.libreoffice import ConversionJob, LibreOffice, find_soffice
from app.services.intake.ocr import OcrFailed, TextRecognition, find_tesseract
from app.services.intake.records import (
    MB,
    CourtLimits,
    Notice,
    NoticeKind,
    Prepared,
    Ready,
    Refusal,
    RefusalKind,
    Refused,
    Stage,
)
from app.services.intake.sniff import Kind, Sniffed, sniff

__all__ = [
    "MB",
    "ConversionJob",
    "Converter",
    "CourtLimits",
    "DocumentConverter",
    "IntakeItem",
    "Kind",
    "LibreOffice",
    "LibreOfficeQueue",
    "MicrosoftWord",
    "Notice",
    "NoticeKind",
    "OcrFailed",
    "Prepared",
    "Ready",
    "Refusal",
    "RefusalKind",
    "Refused",
    "Sniffed",
    "Stage",
    "TextRecognition",
    "create_private_file",
    "find_soffice",
    "find_tesseract",
    "make_workdir",
    "prepare",
    "prepare_many",
    "sniff",
    "spare_runs",
    "word_installed",
]
