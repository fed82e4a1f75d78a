"""The packaged app's entry point: the window, or `legalconnect sync` when the first argument is
"sync" (the same executable serves both)."""

from app.main import main

raise SystemExit(main())
