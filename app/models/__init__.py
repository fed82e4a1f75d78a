"""Qt item models (lazy Clio tree, documents to file, orders, deliverables, expenses)."""
