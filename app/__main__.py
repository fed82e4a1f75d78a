"""`python -m app`: start LegalConnect Desktop (see `app.main`)."""

from app.main import main

raise SystemExit(main())
