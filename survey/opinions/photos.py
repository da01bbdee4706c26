"""Residents' photos: JPEG or PNG by content, size-limited, re-encoded, stored under a random name.

Re-encoding drops whatever rides along in the file (EXIF with the phone's GPS position, scripts
in a polyglot, trailing data) and bounds the pixel count. The stored name is random and checked
against a strict pattern before it is ever joined to a path.
"""
from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from survey.core.errors import DomainError

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")
FOLDER = "opinion_photos"


class PhotoRefused(DomainError):
    pass


def sniff(head: bytes) -> str | None:
    """'jpeg' or 'png' from the first bytes, whatever the name or the declared type say."""
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    return None


def folder() -> Path:
    configured = current_app.config.get("OPINION_PHOTO_FOLDER")
    path = Path(configured) if configured else Path(current_app.instance_path) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(name: str) -> Path:
    if not NAME_PATTERN.fullmatch(name or ""):
        raise FileNotFoundError(name)
    return folder() / name


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoRefused(_l("The photo is too large: at most %(mb)s MB."), mb=f"{limit / 1024 / 1024:g}")
    return data


def store(stream: IO[bytes]) -> str:
    """Check, re-encode and store a photo; return its random file name."""
    from PIL import Image, ImageOps

    config = current_app.config
    data = read_limited(stream, config["OPINION_PHOTO_MAX_BYTES"])
    if not data:
        raise PhotoRefused(_l("The photo is empty."))
    kind = sniff(data[:8])
    if kind is None:
        raise PhotoRefused(_l("Only JPG or PNG photos can be sent."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"])
            if image.width * image.height > config["OPINION_PHOTO_MAX_PIXELS"]:
                raise PhotoRefused(_l("The photo has too many pixels."))
            image.load()
    except PhotoRefused:
        raise
    except Exception:  # truncated, corrupt, decompression bomb: all refused alike
        raise PhotoRefused(_l("The photo could not be read. Please send a JPG or PNG photo."))
    image = ImageOps.exif_transpose(image)
    image.thumbnail((config["OPINION_PHOTO_MAX_SIDE"], config["OPINION_PHOTO_MAX_SIDE"]))
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    name = f"{secrets.token_hex(16)}.jpg"
    target = path_of(name)
    temporary = target.with_suffix(".part")
    image.save(temporary, format="JPEG", quality=85, optimize=True)
    temporary.replace(target)
    return name


def remove(name: str | None) -> None:
    if name:
        try:
            path_of(name).unlink(missing_ok=True)
        except FileNotFoundError:
            pass
