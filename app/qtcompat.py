"""Work-arounds for defects in the Qt bindings, applied once before Qt runs.

PySide6 6.12.0 drops one reference too many to the value a Python callback returns when Qt calls
it from `QTimer.singleShot` (and from qasync's scheduling, which goes through the same path). On
Python 3.12 and later `None`, `True` and `False` are immortal, so nothing happens. On Python 3.11
their reference counts fall by one per call until the interpreter frees `None` itself and aborts
("Fatal Python error: none_dealloc") — after a few thousand event-loop turns, i.e. minutes of use.
Python 3.12 fixed this class of problem by making those singletons immortal; do the same here.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 48  # one lost reference per event-loop turn would take millennia to use this up


def make_singletons_immortal() -> None:
    """Give `None`, `True` and `False` a reference count that can never reach zero (CPython < 3.12).

    Safe: these objects are never freed while the interpreter runs, and CPython 3.12+ treats them
    exactly so. Idempotent enough: calling it twice only adds more headroom.
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Py_ssize_t).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
