"""Widgets and dialogs: render, validate, hand work to services."""

from app.qtcompat import make_singletons_immortal

make_singletons_immortal()
