"""QR codes drawn as inline SVG on the server (segno: pure Python, nothing downloaded)."""

import segno
from django.utils.safestring import mark_safe


def qr_svg(text: str, *, title: str, scale: int = 4) -> str:
    """An accessible SVG image of `text` as a QR code, to embed in a page."""
    svg = segno.make(text, error="m").svg_inline(
        scale=scale, title=title, svgclass="qr", lineclass=None
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's own SVG
