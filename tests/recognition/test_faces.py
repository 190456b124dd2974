"""recognition.faces on real photos with real dlib: loading, detection, enrollment checks."""

import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from recognition import faces
from recognition.faces import FaceConfig, ImageRejected

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def encoded(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 640, height: int = 480) -> Image.Image:
    """A smooth colour gradient: an image with no face in it."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([x + 0 * y, y + 0 * x, (x + y) / 2], axis=2).astype(np.uint8)
    return Image.fromarray(rgb)


def huge_png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height pixels (a decompression bomb)."""
    data = encoded(Image.new("L", (1, 1)), "PNG")
    ihdr = bytearray(data[8 : 8 + 25])  # length, b"IHDR", 13 bytes of fields, CRC
    ihdr[8:16] = struct.pack(">II", width, height)
    ihdr[21:25] = struct.pack(">I", zlib.crc32(bytes(ihdr[4:21])))
    return data[:8] + bytes(ihdr) + data[33:]


@pytest.fixture(scope="module")
def portrait(shared_faces) -> Image.Image:
    """An upright enrollment photo at half size (face ~135 px): quick to detect."""
    image = Image.fromarray(faces.load_image(shared_faces / "enroll/obama/obama.jpg"))
    return image.resize((image.width // 2, image.height // 2), Image.LANCZOS)


def one_face(source, config) -> faces.DetectedFace:
    found = faces.find_faces(faces.load_image(source, config), config)
    assert len(found) == 1
    return found[0]


# --- the sample set ------------------------------------------------------------------


def test_every_face_of_every_manifest_file_is_found(manifest_entry, probe_faces):
    file, expected = manifest_entry
    assert len(probe_faces[file]) == len(expected)


def test_every_enrollment_photo_yields_exactly_one_face(enrollment_photo, enrolled_faces):
    _, path = enrollment_photo
    face = enrolled_faces[path]
    assert min(face.box.width, face.box.height) >= faces.FaceConfig().min_face_px


def test_encodings_are_read_only_float32_vectors_of_128(probe_faces):
    for found in probe_faces.values():
        for face in found:
            assert face.encoding.dtype == np.float32
            assert face.encoding.shape == (128,)
            assert not face.encoding.flags.writeable


def test_faces_come_left_to_right_with_boxes_inside_the_image(probe_faces, shared_faces):
    file = "probe/obama_and_biden.jpg"
    width, height = Image.open(shared_faces / file).size
    lefts = [face.box.left for face in probe_faces[file]]
    assert lefts == sorted(lefts)
    for face in probe_faces[file]:
        box = face.box
        assert 0 <= box.left < box.right <= width
        assert 0 <= box.top < box.bottom <= height


def test_a_face_cut_by_the_image_edge_gets_a_box_clipped_to_the_image(probe_faces):
    (face,) = probe_faces["probe/obama_partial_face.jpg"]
    assert face.box.left == 0


def test_boxes_are_in_full_resolution_pixels_whatever_the_detection_scale(shared_faces):
    """The same frame at 720p (detected at full size) and 1080p (on a copy scaled by 2/3,
    asking for faces 1.5 times bigger): the 1080p box is the 720p box times 1.5."""
    (small,) = faces.detect_faces(
        faces.load_image(shared_faces / "probe/obama-720p.jpg"), min_face_px=80
    )
    (large,) = faces.detect_faces(
        faces.load_image(shared_faces / "probe/obama-1080p.jpg"), min_face_px=120
    )
    for side in ("top", "right", "bottom", "left"):
        assert getattr(large, side) == pytest.approx(1.5 * getattr(small, side), abs=15)


def test_the_same_frame_at_any_size_gives_nearly_the_same_encoding(probe_faces):
    sizes = ["240p", "480p", "720p", "1080p"]
    encodings = [probe_faces[f"probe/obama-{size}.jpg"][0].encoding for size in sizes]
    for encoding in encodings[1:]:
        assert np.linalg.norm(encoding - encodings[0]) < 0.25


def test_face_box_reports_its_size_and_dict():
    box = faces.FaceBox(top=10, right=110, bottom=130, left=20)
    assert (box.width, box.height) == (90, 120)
    assert box.as_dict() == {"top": 10, "right": 110, "bottom": 130, "left": 20}


def test_a_frame_without_faces_gives_no_faces(face_config):
    assert faces.find_faces(np.asarray(gradient()), face_config) == []


def test_find_faces_refuses_an_array_that_is_not_rgb(face_config):
    with pytest.raises(ValueError):
        faces.find_faces(np.zeros((48, 64), dtype=np.uint8), face_config)


# --- rejections: each code -------------------------------------------------------------


def test_it_rejects_a_photo_without_a_face(face_config):
    with pytest.raises(ImageRejected) as caught:
        faces.encode_enrollment_photo(encoded(gradient()), face_config)
    assert caught.value.code == "no_face"
    assert str(caught.value) == (
        "No face was found in this photo. Use a photo where the face is clearly visible."
    )


def test_it_rejects_a_photo_of_two_people(shared_faces, face_config):
    with pytest.raises(ImageRejected) as caught:
        faces.encode_enrollment_photo(shared_faces / "probe/two_people.jpg", face_config)
    assert caught.value.code == "multiple_faces"
    assert "2 faces" in caught.value.message


def test_it_rejects_a_face_too_small_for_a_good_encoding(portrait, face_config):
    small = portrait.resize((portrait.width * 2 // 5, portrait.height * 2 // 5), Image.LANCZOS)
    with pytest.raises(ImageRejected) as caught:
        faces.encode_enrollment_photo(encoded(small), face_config)
    assert caught.value.code == "face_too_small"


@pytest.mark.parametrize(
    "data",
    [b"", b"this is not a photo", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.4\n"],
    ids=["empty", "text", "svg", "pdf"],
)
def test_it_rejects_a_file_that_is_not_an_image(data, face_config):
    with pytest.raises(ImageRejected) as caught:
        faces.load_image(data, face_config)
    assert caught.value.code == "unreadable"
    assert str(caught.value) == caught.value.message


def test_it_rejects_a_truncated_jpeg(shared_faces, face_config):
    data = (shared_faces / "enroll/obama/obama.jpg").read_bytes()
    with pytest.raises(ImageRejected) as caught:
        faces.load_image(data[: len(data) // 2], face_config)
    assert caught.value.code == "unreadable"


def test_using_the_seam_neither_imports_face_recognition_nor_changes_pillow_globals(
    shared_faces,
):
    """face_recognition turns LOAD_TRUNCATED_IMAGES on for the whole process at import;
    the seam loads dlib's models itself, so nothing of that happens in the app."""
    script = (
        "import sys; from PIL import Image, ImageFile; from recognition import faces\n"
        f"faces.encode_enrollment_photo({str(shared_faces / 'enroll/obama/obama.jpg')!r})\n"
        "print('face_recognition' in sys.modules, ImageFile.LOAD_TRUNCATED_IMAGES)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert result.stdout.split() == ["False", "False"]


def test_it_rejects_a_path_that_does_not_exist(tmp_path, face_config):
    with pytest.raises(ImageRejected) as caught:
        faces.encode_enrollment_photo(tmp_path / "missing.jpg", face_config)
    assert caught.value.code == "unreadable"


def test_it_rejects_a_decompression_bomb_from_its_header_without_decoding(face_config):
    bomb = huge_png_header(30_000, 30_000)  # 900 megapixels declared in ~70 bytes
    assert len(bomb) < 100
    with pytest.raises(ImageRejected) as caught:
        faces.load_image(bomb, face_config)
    assert caught.value.code == "too_large"  # "unreadable" would mean it tried to decode


def test_it_rejects_an_image_just_over_the_pixel_limit(shared_faces, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # restored after
    config = FaceConfig(max_image_pixels=1_000_000)  # the photo has 1.03 megapixels
    with pytest.raises(ImageRejected) as caught:
        faces.load_image(shared_faces / "enroll/obama/obama.jpg", config)
    assert caught.value.code == "too_large"
    assert "1 megapixels" in caught.value.message


def test_rejections_know_only_the_documented_codes():
    with pytest.raises(ValueError):
        ImageRejected("blurry")
    assert set(ImageRejected.CODES) == {
        "unreadable",
        "too_large",
        "extreme_shape",
        "no_face",
        "multiple_faces",
        "face_too_small",
    }


# --- photos that break naive code ------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "stored_rotation"), [(6, 90), (8, -90)], ids=["exif-6", "exif-8"]
)
def test_it_accepts_a_phone_photo_stored_sideways_with_an_exif_orientation(
    orientation, stored_rotation, portrait, face_config
):
    sideways = portrait.rotate(stored_rotation, expand=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encoded(sideways, exif=exif.tobytes(), quality=95)
    # Without the orientation the face lies on its side and no face is found:
    assert faces.find_faces(np.asarray(sideways), face_config) == []

    image = faces.load_image(data, face_config)
    assert image.shape == (portrait.height, portrait.width, 3)
    face = faces.encode_enrollment_photo(data, face_config)
    upright = faces.encode_enrollment_photo(encoded(portrait, quality=95), face_config)
    assert np.linalg.norm(face.encoding - upright.encoding) < 0.1


def test_transparent_pixels_become_white(portrait, face_config):
    rgba = portrait.convert("RGBA")
    alpha = Image.new("L", rgba.size, 255)
    alpha.paste(0, (0, 0, rgba.width, 20))  # a transparent band at the top
    rgba.putalpha(alpha)
    image = faces.load_image(encoded(rgba, "PNG"), face_config)
    assert image.shape == (portrait.height, portrait.width, 3)
    assert (image[:20] == 255).all()
    assert len(faces.find_faces(image, face_config)) == 1


def test_the_sample_rgba_png_loads_as_rgb(shared_faces, face_config):
    assert Image.open(shared_faces / "odd/32bit.png").mode == "RGBA"
    image = faces.load_image(shared_faces / "odd/32bit.png", face_config)
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3


def sixteen_bit_png(portrait: Image.Image) -> bytes:
    gray = np.asarray(portrait.convert("L"), dtype=np.uint16) * 257
    image = Image.fromarray(gray)  # mode I;16
    assert image.mode.startswith("I;16")
    return encoded(image, "PNG")


def animated_gif(portrait: Image.Image) -> bytes:
    blank = Image.new("RGB", portrait.size, (40, 120, 200))
    return encoded(portrait, "GIF", save_all=True, append_images=[blank], duration=200, loop=0)


def palette_png_with_transparency(portrait: Image.Image) -> bytes:
    paletted = portrait.convert("P", palette=Image.Palette.ADAPTIVE, colors=255)
    return encoded(paletted, "PNG", transparency=0)


IMAGE_VARIANTS = {
    "rgba-png": lambda p: encoded(p.convert("RGBA"), "PNG"),
    "gray-alpha-png": lambda p: encoded(p.convert("LA"), "PNG"),
    "grayscale-jpeg": lambda p: encoded(p.convert("L")),
    "cmyk-jpeg": lambda p: encoded(p.convert("CMYK")),
    "16-bit-png": sixteen_bit_png,
    "webp": lambda p: encoded(p, "WEBP", quality=90),
    "animated-gif": animated_gif,
    "palette-png-with-transparency": palette_png_with_transparency,
    "bmp": lambda p: encoded(p, "BMP"),
}


@pytest.mark.parametrize("variant", IMAGE_VARIANTS)
def test_it_loads_any_common_image_kind_as_upright_rgb_and_finds_the_face(
    variant, portrait, face_config
):
    data = IMAGE_VARIANTS[variant](portrait)
    image = faces.load_image(data, face_config)
    assert image.dtype == np.uint8
    assert image.shape == (portrait.height, portrait.width, 3)
    one_face(data, face_config)


def test_a_16_bit_image_is_rescaled_not_clipped(portrait, face_config):
    image = faces.load_image(sixteen_bit_png(portrait), face_config)
    expected = np.asarray(portrait.convert("L"))
    assert np.abs(image[:, :, 0].astype(int) - expected).max() <= 1


def test_an_animated_gif_gives_its_first_frame(portrait, face_config):
    image = faces.load_image(animated_gif(portrait), face_config)
    assert not (image == (40, 120, 200)).all(axis=2).all()  # not the blank second frame


def test_it_reads_bytes_paths_and_open_files_alike(shared_faces, face_config):
    path = shared_faces / "probe/obama_small.jpg"
    from_path = faces.load_image(path, face_config)
    from_str = faces.load_image(str(path), face_config)
    from_bytes = faces.load_image(path.read_bytes(), face_config)
    with open(path, "rb") as f:
        from_file = faces.load_image(f, face_config)
    for other in (from_str, from_bytes, from_file):
        assert np.array_equal(from_path, other)


def test_a_small_face_in_a_big_photo_is_found_at_enrollment(portrait, face_config):
    """On the 480 px detection copy of a 3000 px photo the face is ~27 px (too small to
    detect); enrollment retries on a copy twice as large instead of saying "no face"."""
    canvas = Image.new("RGB", (3000, 3000), (235, 235, 235))
    canvas.paste(portrait.resize((portrait.width * 5 // 4, portrait.height * 5 // 4)), (1800, 900))
    face = faces.encode_enrollment_photo(encoded(canvas, quality=90), face_config)
    assert 1800 < face.box.left < face.box.right < 1800 + portrait.width * 5 // 4
    assert face.box.width >= face_config.min_face_px


# --- configuration ---------------------------------------------------------------------


def test_the_configuration_comes_from_django_settings(settings):
    settings.FACE_MIN_DETECT_PX = 80
    settings.FACE_ENCODING_JITTERS = 2
    settings.FACE_LANDMARKS_MODEL = "large"
    settings.FACE_MIN_SIZE_PX = 100
    settings.FACE_MAX_IMAGE_PIXELS = 20_000_000
    settings.FACE_ENCODER_RUNTIME = "dlib"
    config = FaceConfig.from_settings()
    assert config == FaceConfig(
        detector_model=settings.FACE_DETECTOR_MODEL,
        min_detect_px=80,
        jitters=2,
        landmarks_model="large",
        min_face_px=100,
        max_image_pixels=20_000_000,
        encoder_runtime="dlib",
        encoder_threads=settings.FACE_ENCODER_THREADS,
        model_cache_dir=settings.FACE_MODEL_CACHE_DIR,
    )
    assert config.encoder_name == "dlib-resnet-v1/large/j2"


def test_settings_left_out_fall_back_to_the_measured_defaults(settings):
    for name in (
        "FACE_DETECTOR_MODEL",
        "FACE_MIN_DETECT_PX",
        "FACE_ENCODING_JITTERS",
        "FACE_LANDMARKS_MODEL",
        "FACE_MIN_SIZE_PX",
        "FACE_MAX_IMAGE_PIXELS",
        "FACE_ENCODER_RUNTIME",
        "FACE_ENCODER_THREADS",
        "FACE_MODEL_CACHE_DIR",
    ):
        if hasattr(settings, name):
            delattr(settings, name)
    assert FaceConfig.from_settings() == FaceConfig()


def test_the_configuration_works_without_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "from recognition.faces import FaceConfig\n"
        "assert FaceConfig.from_settings() == FaceConfig(), FaceConfig.from_settings()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_pipeline_reads_no_setting():
    """Settings are read when a FaceConfig is asked for, never while modules are imported
    (a module-level read fixes the value before tests or the app can set it)."""
    code = (
        "from django.conf import LazySettings\n"
        "read = []\n"
        "original = LazySettings.__getattr__\n"
        "def spy(self, name):\n"
        "    read.append(name)\n"
        "    return original(self, name)\n"
        "LazySettings.__getattr__ = spy\n"
        "from recognition import checks, config, detection, dlib_models, encoding, faces\n"
        "from recognition import images, onnx_encoder, types\n"
        "assert read == [], read\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "attendance_site.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_configuration_is_built_once_and_again_when_a_setting_changes(settings):
    first = FaceConfig.from_settings()
    assert FaceConfig.from_settings() is first
    settings.FACE_MIN_DETECT_PX = first.min_detect_px + 20
    changed = FaceConfig.from_settings()
    assert changed.min_detect_px == first.min_detect_px + 20
    assert FaceConfig.from_settings() is changed


def test_the_default_encoder_name_says_what_produced_the_encodings():
    assert FaceConfig().encoder_name == "dlib-resnet-v1/small/j1"


@pytest.mark.parametrize(
    "bad",
    [
        {"detector_model": "haar"},
        {"landmarks_model": "medium"},
        {"jitters": 0},
        {"min_detect_px": 10},
        {"max_image_pixels": 0},
    ],
    ids=lambda bad: next(iter(bad)),
)
def test_invalid_configuration_is_refused(bad):
    with pytest.raises(ValueError):
        FaceConfig(**bad)
