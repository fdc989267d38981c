"""Illustrations and portraits drawn with Pillow, so the demo needs no download."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERO_SIZE = (1600, 900)
PORTRAIT_SIZE = (800, 800)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "DejaVuSans-Bold.ttf",
)

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    top: RGB
    bottom: RGB
    accent: RGB
    ink: RGB = (255, 255, 255)


PALETTES: dict[str, Palette] = {
    "ocean": Palette(top=(12, 44, 84), bottom=(30, 120, 170), accent=(255, 196, 61)),
    "sunset": Palette(top=(92, 24, 64), bottom=(232, 106, 72), accent=(255, 230, 160)),
    "forest": Palette(top=(16, 60, 52), bottom=(64, 150, 110), accent=(240, 240, 200)),
    "night": Palette(top=(18, 18, 40), bottom=(70, 50, 130), accent=(120, 220, 255)),
    "alpine": Palette(top=(40, 90, 150), bottom=(200, 225, 240), accent=(230, 80, 60)),
    "ember": Palette(top=(60, 20, 20), bottom=(190, 60, 40), accent=(255, 210, 120)),
    "slate": Palette(top=(36, 44, 56), bottom=(110, 125, 140), accent=(250, 170, 60)),
    "archive": Palette(top=(70, 56, 40), bottom=(180, 150, 110), accent=(250, 240, 220)),
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _rng(seed: str) -> random.Random:
    # A stable seed per article: the same slug always gives the same picture.
    digest = hashlib.sha256(seed.encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - not for security


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    width, height = size
    # Rotate a square larger than the diagonal, then crop: no empty corners after rotation.
    side = int((width**2 + height**2) ** 0.5) + 2
    mask = Image.linear_gradient("L").resize((side, side)).rotate(-20, Image.Resampling.BICUBIC)
    left, upper = (side - width) // 2, (side - height) // 2
    mask = mask.crop((left, upper, left + width, upper + height))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _fitted_font(
    draw: ImageDraw.ImageDraw, text: str, max_width: int, start: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = start
    while size > 24:
        font = _font(size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= max_width:
            return font
        size -= 8
    return _font(size)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=86, optimize=True, progressive=True)
    return buffer.getvalue()


def illustration_draw(*, word: str, kicker: str, palette: str, seed: str) -> bytes:
    """A 1600×900 JPEG: gradient, translucent shapes and a headline word."""
    colours = PALETTES[palette]
    rng = _rng(seed)
    width, height = HERO_SIZE
    image = _gradient(HERO_SIZE, colours.top, colours.bottom).convert("RGBA")

    shapes = Image.new("RGBA", HERO_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(7):
        radius = rng.randint(90, 380)
        x, y = rng.randint(-100, width + 100), rng.randint(-100, height + 100)
        alpha = rng.randint(28, 70)
        fill = (*colours.ink, alpha) if rng.random() < 0.6 else (*colours.accent, alpha)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
    for _ in range(3):
        offset = rng.randint(-400, width)
        band = rng.randint(40, 140)
        draw.polygon(
            [
                (offset, height),
                (offset + band, height),
                (offset + band + 500, 0),
                (offset + 500, 0),
            ],
            fill=(*colours.ink, rng.randint(14, 30)),
        )
    shapes = shapes.filter(ImageFilter.GaussianBlur(2))
    image = Image.alpha_composite(image, shapes)

    overlay = Image.new("RGBA", HERO_SIZE, (0, 0, 0, 0))
    text = ImageDraw.Draw(overlay)
    origin_x, origin_y = width - 360, 80
    for row in range(6):
        for col in range(8):
            cx, cy = origin_x + col * 38, origin_y + row * 38
            text.ellipse((cx - 4, cy - 4, cx + 4, cy + 4), fill=(*colours.ink, 150))

    margin = 110
    headline = word.upper()
    font = _fitted_font(text, headline, width - 2 * margin, 190)
    _left, top, _right, bottom = text.textbbox((0, 0), headline, font=font)
    baseline_y = height - margin - (bottom - top)
    text.rectangle((margin, baseline_y - 70, margin + 160, baseline_y - 58), fill=colours.accent)
    text.text((margin, baseline_y - 140), kicker.upper(), font=_font(40), fill=colours.ink)
    text.text((margin + 6, baseline_y + 6 - top), headline, font=font, fill=(0, 0, 0, 90))
    text.text((margin, baseline_y - top), headline, font=font, fill=colours.ink)
    return _jpeg(Image.alpha_composite(image, overlay))


def portrait_draw(*, name: str, palette: str) -> bytes:
    """An 800×800 JPEG: a stylised head-and-shoulders silhouette with initials."""
    colours = PALETTES[palette]
    width, height = PORTRAIT_SIZE
    image = _gradient(PORTRAIT_SIZE, colours.top, colours.bottom).convert("RGBA")
    overlay = Image.new("RGBA", PORTRAIT_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.ellipse((60, 60, width - 60, height - 60), fill=(*colours.ink, 36))
    draw.ellipse((270, 170, 530, 450), fill=(*colours.accent, 235))
    draw.pieslice((150, 470, 650, 1000), 180, 360, fill=(*colours.accent, 235))
    initials = "".join(part[0] for part in name.split() if part[:1].isalpha())[:2].upper()
    font = _font(96)
    left, top, right, _bottom = draw.textbbox((0, 0), initials, font=font)
    draw.text(
        ((width - (right - left)) / 2 - left, 640 - top),
        initials,
        font=font,
        fill=colours.top,
    )
    return _jpeg(Image.alpha_composite(image, overlay))
