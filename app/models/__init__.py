"""Qt item models (lazy Clio tree, documents to file, orders, deliverables, expenses)."""

from app.qtcompat import make_singletons_immortal

make_singletons_immortal()
