"""Raster seed files drawn with Pillow: scanned document pages and an exhibit photo.

Pillow's built-in scalable font is used so that the pictures are the same on every machine.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sandbox.seed import firm, prose

# Letter paper at 100 dpi: what a cheap office scanner produces at its "document" setting.
SCAN_SIZE = (850, 1100)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int
) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _speckle(draw: ImageDraw.ImageDraw, rng: random.Random, size: tuple[int, int], count: int) -> None:
    # Dust and toner specks; drawn with a seeded generator (Pillow's effect_noise is not seedable).
    for _ in range(count):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        shade = rng.randint(90, 200)
        draw.point((x, y), fill=shade)


def scan_page(title: str, page: int, pages: int, *, body: list[str] | None = None) -> Image.Image:
    """A grayscale "scanned" page: slightly grey paper, text, specks, a small skew and blur."""
    rng = prose.rng_for(f"scan:{title}:{page}")
    image = Image.new("L", SCAN_SIZE, color=244)
    draw = ImageDraw.Draw(image)
    heading, text, small = _font(26), _font(17), _font(13)
    margin, y = 80, 80
    if page == 1:
        draw.text((SCAN_SIZE[0] // 2, y), title.upper(), font=heading, fill=30, anchor="mt")
        y += 60
    paragraphs = body if body is not None else prose.paragraphs(f"{title}:{page}", 4, (3, 5))
    for para in paragraphs:
        for line in _wrap(draw, para, text, SCAN_SIZE[0] - 2 * margin):
            if y > SCAN_SIZE[1] - 120:
                break
            draw.text((margin, y), line, font=text, fill=rng.randint(20, 45))
            y += 26
        y += 14
    draw.text(
        (SCAN_SIZE[0] // 2, SCAN_SIZE[1] - 60), f"Page {page} of {pages}", font=small, fill=60, anchor="mt"
    )
    _speckle(draw, rng, SCAN_SIZE, 600)
    skewed = image.rotate(rng.uniform(-0.8, 0.8), resample=Image.Resampling.BICUBIC, fillcolor=250)
    return skewed.filter(ImageFilter.GaussianBlur(0.6))


def make_png(title: str) -> bytes:
    """A scanned invoice exhibit as a grayscale PNG."""
    lines = [
        f"Invoice for: {title}",
        "Apex Imaging Supply Co. - 4410 Industrial Way, Hayward, CA 94545",
        f"Bill to: {firm.FIRM_NAME}, 1200 Harbor Boulevard, Suite 400, Long Beach, CA 90802",
        "Item 1: Panoramic imaging sensor, model PX-40 .......... $18,450.00",
        "Item 2: Installation and calibration ..................... $2,300.00",
        "Item 3: Extended service plan (36 months) ............... $4,125.00",
        "Total due within 30 days: $24,875.00",
    ]
    image = scan_page(title, 1, 1, body=lines)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def make_jpg(title: str) -> bytes:
    """An exhibit photo of a building with an exhibit sticker and caption, as a JPEG."""
    rng = prose.rng_for(f"photo:{title}")
    width, height = 1200, 900
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for row in range(height * 2 // 3):  # sky gradient
        tone = 150 + row * 90 // (height * 2 // 3)
        draw.line([(0, row), (width, row)], fill=(tone - 60, tone - 20, 235))
    draw.rectangle([0, height * 2 // 3, width, height], fill=(96, 110, 84))  # ground
    left, top, right, bottom = 260, 240, 940, height * 2 // 3 + 40
    draw.rectangle([left, top, right, bottom], fill=(188, 172, 150), outline=(90, 80, 70), width=4)
    draw.polygon([(left - 30, top), (right + 30, top), ((left + right) // 2, top - 130)], fill=(120, 60, 50))
    for col in range(5):
        for row in range(3):
            x, y = left + 50 + col * 125, top + 40 + row * 95
            lit = rng.random() < 0.3
            draw.rectangle([x, y, x + 70, y + 60], fill=(240, 220, 140) if lit else (70, 90, 110))
    draw.rectangle([560, bottom - 120, 640, bottom], fill=(80, 50, 40))  # door
    draw.rectangle([40, 40, 330, 130], fill=(250, 250, 250), outline=(20, 20, 20), width=3)
    draw.text((185, 85), "EXHIBIT", font=_font(44), fill=(10, 10, 10), anchor="mm")
    draw.rectangle([0, height - 70, width, height], fill=(20, 20, 20))
    draw.text(
        (24, height - 35),
        f"{title} - 1450 Coastal Avenue, taken March 3, 2025",
        font=_font(26),
        fill=(235, 235, 235),
        anchor="lm",
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def scan_jpeg(title: str, page: int, pages: int) -> bytes:
    """One scanned page as grayscale JPEG bytes, for image-only PDFs."""
    out = io.BytesIO()
    scan_page(title, page, pages).save(out, format="JPEG", quality=60)
    return out.getvalue()
