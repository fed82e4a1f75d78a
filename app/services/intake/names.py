"""The name a document is filed under: within the court's length limit, in characters every court
back-end accepts (eFileCA courts take at most 50; `efiling-domain.md` 4.4).
"""

from __future__ import annotations

import re
import unicodedata

from app.services.filenames import safe_filename
from app.services.intake.records import Notice, NoticeKind, quoted

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._,()&'-]+")
"""Anything else (slashes, colons, #, %, quotes, emoji, …) is refused by one court or another."""
DEFAULT_STEM = "Document"


def court_file_name(
    display_name: str, max_length: int, *, suffix: str = ".pdf", longest_suffix: str = ".pdf"
) -> tuple[str, Notice | None]:
    """The court name for `display_name` ending in `suffix`, and a notice when it had to change.

    The stem leaves room for `longest_suffix` (".docx" when a Word copy is filed under the same
    name). Only the suffix changing (a Word file becoming a PDF) is not worth a notice.
    """
    stem = _stem(display_name)
    # Accents become their base letter ("Renée" → "Renee") rather than vanishing.
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    clean = _UNSAFE.sub(" ", ascii_stem)
    clean = re.sub(r"\s+", " ", clean).strip(" .-_,") or DEFAULT_STEM
    room = max(1, max_length - len(longest_suffix))
    if len(clean) > room:
        cut = clean[:room]
        # Cut at a word boundary when one is near, so the name still reads as words.
        space = cut.rfind(" ")
        clean = (cut[:space] if space > room * 2 // 3 else cut).rstrip(" .-_,") or DEFAULT_STEM
    fixed = clean + suffix
    if clean == stem:
        return fixed, None
    why = []
    if len(stem) > room:
        why.append(f"the court accepts names of at most {max_length} characters")
    if _UNSAFE.search(stem) or ascii_stem != stem:
        why.append("some characters in the name are not accepted by the court")
    if not why:
        why.append("the court does not accept names like this one")
    message = f"{quoted(display_name)} will be filed as {quoted(fixed)}: {' and '.join(why)}."
    return fixed, Notice(NoticeKind.NAME_CHANGED, message)


def disk_name(court_name: str) -> str:
    """`court_name` as a local file name (it is already safe; this keeps the guarantee in one place)."""
    return safe_filename(court_name)


def _stem(display_name: str) -> str:
    name = display_name.strip()
    stem, dot, ext = name.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        return stem.strip()
    return name
