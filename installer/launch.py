"""The packaged app's entry point: the window, or `legalconnect sync` when the first argument is
"sync" (the same executable serves both). "ocr-worker" is the app starting itself to make a
scanned PDF searchable (`app.services.intake.ocr`): it runs OCRmyPDF and loads no Qt."""

import sys

if sys.argv[1:2] == ["ocr-worker"]:
    from app.services.intake.ocr_worker import main as ocr_worker

    raise SystemExit(ocr_worker(sys.argv[2:]))

from app.main import main

raise SystemExit(main())
