"""Small pieces the wizard's pages share: the inline problem label and money formatting."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class ProblemLabel(QLabel):
    """A red message shown right under (or beside) the field it is about; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problem")
        self.setStyleSheet("color: #b00020;")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote the provider's words
        self.setVisible(False)

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def problem_label() -> ProblemLabel:
    return ProblemLabel()
