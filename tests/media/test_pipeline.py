"""The photo pipeline: decided by content, bounded in bytes and pixels, nothing but pixels kept."""

from __future__ import annotations

import errno
import io
import os
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from community.extensions import db
from community.media import services
from community.media.models import Photo
from community.media.pipeline import PhotoError, process
from community.policy import register_photo_owner

METADATA_MARKERS = [b"Exif", b"GPS", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"acsp", b"MY-CAMERA", b"SECRET"]


def jpeg_with_metadata(size=(2400, 1600), orientation=6) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 4))  # a marker to check orientation
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "MY-CAMERA"
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}  # GPS
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://ns.adobe.com/xap/1.0/">SECRET</rdf:RDF></x:xmpmeta>'
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), icc_profile=b"acsp-fake-profile" * 8, xmp=xmp, comment=b"SECRET")
    return out.getvalue()


def png_bytes(size=(800, 600), mode="RGB", **kwargs) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128)[: len(mode)] if mode != "1" else 0).save(out, "PNG", **kwargs)
    return out.getvalue()


def giant_png(width=50_000, height=50_000) -> bytes:
    """A tiny file that claims 50,000 × 50,000 pixels: written by hand, never decoded."""

    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


@pytest.fixture
def request_ctx(app):
    """Messages are translated for a request (Japanese is the default locale)."""
    with app.test_request_context():
        yield app


def test_orientation_applied_and_no_metadata_survives():
    processed = process(jpeg_with_metadata())
    display = Image.open(io.BytesIO(processed.display.data))
    # Orientation 6 means "rotate 90°": the stored picture is portrait and carries no EXIF at all.
    assert display.size[0] < display.size[1]
    assert max(display.size) == 1280 and max(processed.thumb.width, processed.thumb.height) == 320
    assert not display.getexif() and "icc_profile" not in display.info and "xmp" not in display.info
    for data in (processed.display.data, processed.thumb.data):
        for marker in METADATA_MARKERS:
            assert marker not in data, marker


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n" * 50, "写真として使えません"),
        (jpeg_with_metadata()[:5000], "最後まで読み込めませんでした"),
        (giant_png(), "画素数が多すぎます"),
        (png_bytes((9000, 5000)), "縦横が大きすぎます"),
        (b"", "空です"),
        (b"GIF89a" + b"\0" * 100, "写真として使えません"),
    ],
    ids=["renamed-pdf", "truncated-jpeg", "50000x50000-png", "45-megapixels", "empty", "gif"],
)
def test_bad_files_get_a_clear_japanese_message(request_ctx, data, message):
    with pytest.raises(PhotoError) as error:
        services.check_photo(data)
    assert message in str(error.value)


def test_byte_limit_comes_from_config(request_ctx):
    request_ctx.config["MAX_PHOTO_BYTES"] = 1000
    with pytest.raises(PhotoError, match="大きすぎます"):
        services.check_photo(png_bytes())


def test_png_with_transparency_stays_transparent_as_webp():
    processed = process(png_bytes(mode="RGBA"))
    assert processed.extension == "webp"
    assert Image.open(io.BytesIO(processed.display.data)).mode == "RGBA"


def test_heic_is_accepted_when_the_plugin_is_installed():
    pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (1, 2, 3)).save(out, "HEIF")
    assert process(out.getvalue()).extension == "jpg"


@pytest.fixture
def owner_type(app):
    """A test content kind: owner id 1 is public, 2 only for its uploader, anything else nobody."""

    def can_view(viewer, owner_id):
        if owner_id == 1:
            return True
        return owner_id == 2 and getattr(viewer, "is_authenticated", False) and viewer.login_id == "owner"

    register_photo_owner("test_owner", can_view)
    return "test_owner"


def _store(owner_id, user=None):
    photo = services.store_photo(jpeg_with_metadata(), uploaded_by=user, owner_type="test_owner", owner_id=owner_id)
    db.session.commit()
    return photo


def test_stored_files_have_random_names_and_no_metadata(app, owner_type):
    photo = _store(1)
    root = Path(app.config["UPLOAD_DIR"]) / "photos"
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert len(files) == 2 and all(photo.token in p.name for p in files) and len(photo.token) >= 40
    for path in files:
        data = path.read_bytes()
        for marker in METADATA_MARKERS:
            assert marker not in data
    assert not list(root.rglob(".upload-*"))


def test_served_only_through_the_policy(client, auth, make_user, owner_type):
    owner = make_user("owner")
    stranger = make_user("stranger")
    public, private = _store(1, owner), _store(2, owner)
    response = client.get(f"/photos/{public.token}/display")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/photos/{private.token}/display").status_code == 404
    auth.login(stranger)
    assert client.get(f"/photos/{private.token}/thumb").status_code == 404
    auth.logout()
    auth.login(owner)
    response = client.get(f"/photos/{private.token}/thumb")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")
    assert client.get(f"/photos/{private.token}/original").status_code == 404
    assert client.get("/photos/nonexistent/display").status_code == 404


def test_a_full_disk_leaves_no_file_and_no_row(app, request_ctx, owner_type, monkeypatch):
    real_fsync = os.fsync

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(PhotoError, match="保存容量がいっぱい"):
        services.store_photo(jpeg_with_metadata(), uploaded_by=None, owner_type="test_owner", owner_id=1)
    monkeypatch.setattr(os, "fsync", real_fsync)
    db.session.rollback()
    root = Path(app.config["UPLOAD_DIR"]) / "photos"
    assert not [p for p in root.rglob("*") if p.is_file()]
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_rollback_removes_new_files_and_delete_removes_after_commit(app, owner_type):
    root = Path(app.config["UPLOAD_DIR"]) / "photos"
    services.store_photo(jpeg_with_metadata(), uploaded_by=None, owner_type="test_owner", owner_id=1)
    db.session.rollback()
    assert not [p for p in root.rglob("*") if p.is_file()]
    photo = _store(1)
    services.delete_photos_of("test_owner", [1])
    assert len([p for p in root.rglob("*") if p.is_file()]) == 2  # not before the commit
    db.session.commit()
    assert not [p for p in root.rglob("*") if p.is_file()]
    assert db.session.get(Photo, photo.id) is None
