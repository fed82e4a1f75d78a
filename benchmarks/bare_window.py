"""A bare PySide6 window, the yardstick for the app's start-up: prints when it is usable."""

import json
import resource
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> None:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1100, 700)
    window.show()

    def ready() -> None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"ready_at": time.time(), "maxrss_kb": rss}), flush=True)
        app.quit()

    QTimer.singleShot(0, ready)
    app.exec()


if __name__ == "__main__":
    main()
