"""dlib's face encoder run by ONNX Runtime (recognition.onnx_encoder) against dlib itself.

Real weights (the installed face_recognition_models .dat), real faces (../shared/faces):
the converted network must give dlib's encodings to 1e-4 on every face of the sample set,
the same identities, and its cached model must be rebuilt when missing or stale.
"""

import hashlib
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import dlib
import numpy as np
import onnx
import pytest
from django.core import checks

from recognition import detection, dlib_weights, encoding, faces, onnx_encoder
from recognition.faces import FaceConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = (PROJECT_ROOT / ".." / "shared" / "faces").resolve()
MAX_ABS_DIFF = 1e-4  # per dimension: what counts as "the same encodings"

ONNX = FaceConfig(encoder_runtime="onnx")
DLIB = FaceConfig(encoder_runtime="dlib")


@pytest.fixture(scope="module")
def net() -> dlib_weights.DlibResNet:
    return dlib_weights.load(onnx_encoder.source_weights_path())


# --- the converter on the real weights ---------------------------------------------------


def test_the_parser_reads_dlibs_network_with_its_layer_counts_and_shapes(net):
    kinds = Counter(layer.kind for layer in net.layers)
    assert len(net.layers) == 108
    assert kinds == {
        "con": 29,
        "affine": 29,
        "relu": 29,
        "add_prev": 14,
        "avg_pool": 5,  # 4 shortcut poolings + avg_pool_everything
        "max_pool": 1,
        "fc": 1,
    }
    assert net.input_size == 150
    assert net.channel_means == pytest.approx((122.782, 117.001, 104.298), abs=1e-4)
    convs = net.convolutions
    assert convs[0].arrays["weight"].shape == (32, 3, 7, 7)
    assert (convs[0].stride, convs[0].padding) == (2, 0)
    assert convs[-1].arrays["weight"].shape == (256, 256, 3, 3)
    assert all(c.arrays["bias"].shape == (c.arrays["weight"].shape[0],) for c in convs)
    assert net.layers[-1].arrays["weight"].shape == (256, 128)
    total = sum(a.size for layer in net.layers for a in layer.arrays.values())
    assert total == 5_614_592  # every float of the file's parameter tensors


def test_the_residual_blocks_are_3x32_4x64_3x128_4x256(net):
    structure = dlib_weights.residual_blocks(net)
    widths = [b.conv2.arrays["weight"].shape[0] for b in structure.blocks]
    assert widths == [32] * 3 + [64] * 4 + [128] * 3 + [256] * 4
    assert [i for i, b in enumerate(structure.blocks) if b.downsample] == [3, 7, 10, 13]
    assert all(b.conv1.stride == 2 for b in structure.blocks if b.downsample)


def test_the_onnx_graph_has_one_conv_per_dlib_conv_and_a_128_d_output(net):
    model = onnx_encoder.build_model(net)
    ops = Counter(node.op_type for node in model.graph.node)
    assert ops["Conv"] == 29  # each affine folded into its conv
    assert ops["Add"] == 14 and ops["AveragePool"] == 4 and ops["MaxPool"] == 1
    assert ops["MatMul"] == 1 and ops["GlobalAveragePool"] == 1
    out = model.graph.output[0].type.tensor_type.shape.dim
    assert [d.dim_value or d.dim_param for d in out] == ["n", 128]
    props = {p.key: p.value for p in model.metadata_props}
    assert props["source_sha256"] == net.sha256


def test_a_truncated_or_foreign_file_is_refused_with_a_clear_error(net):
    data = onnx_encoder.source_weights_path().read_bytes()
    with pytest.raises(dlib_weights.DlibModelError, match="end of file"):
        dlib_weights.parse(data[: len(data) // 2])
    with pytest.raises(dlib_weights.DlibModelError):
        dlib_weights.parse(b"\x01\x01\x01\x0bloss_mmod_")


# --- equal to dlib on every sample face -------------------------------------------------


def _group_boxes() -> dict[str, list]:
    """The ground-truth face boxes of groups/ (training.xml and testing.xml): 43 faces."""
    boxes: dict[str, list] = {}
    for name in ("training.xml", "testing.xml"):
        for image in ET.parse(SAMPLES / "groups" / name).getroot().iter("image"):
            for box in image.iter("box"):
                top, left = int(box.get("top")), int(box.get("left"))
                width, height = int(box.get("width")), int(box.get("height"))
                boxes.setdefault(image.get("file"), []).append(
                    dlib.rectangle(left, top, left + width - 1, top + height - 1)
                )
    return boxes


def _sample_faces():
    """(name, onnx encodings, dlib encodings) for every face of enroll, probe and groups."""
    for path in sorted(SAMPLES.glob("enroll/*/*")) + sorted(SAMPLES.glob("probe/*")):
        image = faces.load_image(path)
        ours, theirs = faces.find_faces(image, ONNX), faces.find_faces(image, DLIB)
        assert [f.box for f in ours] == [f.box for f in theirs]
        yield str(path.relative_to(SAMPLES)), ours, theirs
    boxed = _group_boxes()
    for path in sorted(SAMPLES.glob("groups/*.jpg")):
        image = faces.load_image(path)
        if path.name in boxed:  # the small faces, where the detector finds them or not
            rects = boxed[path.name]
            ours, theirs = encoding.encode(image, rects, ONNX), encoding.encode(image, rects, DLIB)
        else:
            ours, theirs = faces.find_faces(image, ONNX), faces.find_faces(image, DLIB)
        yield str(path.relative_to(SAMPLES)), ours, theirs


@pytest.fixture(scope="module")
def sample_encodings() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rows = []
    for name, ours, theirs in _sample_faces():
        for a, b in zip(ours, theirs, strict=True):
            rows.append((name, a.encoding, b.encoding))
    return rows


def test_onnx_encodings_equal_dlibs_on_every_sample_face(sample_encodings):
    groups = [r for r in sample_encodings if r[0].startswith("groups/")]
    assert len(groups) >= 43 and len(sample_encodings) >= 43 + 9 + 18
    worst = max(sample_encodings, key=lambda r: np.abs(r[1] - r[2]).max())
    diff = float(np.abs(worst[1] - worst[2]).max())
    print(f"max abs diff over {len(sample_encodings)} faces: {diff:.2e} ({worst[0]})")
    assert diff <= MAX_ABS_DIFF, f"{worst[0]}: a dimension differs by {diff:.2e}"


def test_the_equality_bound_catches_a_small_change_of_the_last_layer(
    monkeypatch, net, shared_faces
):
    """A graph whose last layer differs from dlib's by 0.001 in one column fails the bound
    the conversion is held to, on a real face, while the true graph passes it."""
    import onnxruntime
    from onnx import numpy_helper

    image = faces.load_image(shared_faces / "probe/obama1.jpg")
    (reference,) = faces.find_faces(image, DLIB)
    model = onnx_encoder.build_model(net)
    true_graph = model.SerializeToString()
    matmul = next(node for node in model.graph.node if node.op_type == "MatMul")
    weights = next(i for i in model.graph.initializer if i.name == matmul.input[1])
    changed = numpy_helper.to_array(weights).copy()
    changed[:, 5] += 0.001
    weights.CopyFrom(numpy_helper.from_array(changed, weights.name))

    def difference_with(graph: bytes) -> float:
        session = onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"])
        names = [onnx_encoder.OUTPUT_NAME]
        run = lambda chips: session.run(names, {onnx_encoder.INPUT_NAME: chips})[0]  # noqa: E731
        encoder = SimpleNamespace(encode=run)
        monkeypatch.setattr(onnx_encoder, "usable_encoder", lambda config: encoder)
        (face,) = faces.find_faces(image, ONNX)
        return float(np.abs(face.encoding - reference.encoding).max())

    assert difference_with(true_graph) <= MAX_ABS_DIFF
    assert difference_with(model.SerializeToString()) > MAX_ABS_DIFF


def _names(found, enrolled, tolerance=0.6) -> list[str]:
    people = np.array([name for name, _ in enrolled])
    known = np.stack([encoding for _, encoding in enrolled])
    names = []
    for face in found:
        distances = np.linalg.norm(known - face.encoding, axis=1)
        best = int(np.argmin(distances))
        names.append(str(people[best]) if distances[best] <= tolerance else "unknown")
    return sorted(names)


@pytest.mark.parametrize("config", [ONNX, DLIB], ids=["onnx", "dlib"])
def test_both_runtimes_name_every_manifest_face_as_the_manifest_says(config, shared_faces):
    enrolled = [
        (p.parent.name, faces.encode_enrollment_photo(p, config).encoding)
        for p in sorted(shared_faces.glob("enroll/*/*"))
    ]
    wrong = {}
    rows = (shared_faces / "manifest.csv").read_text().splitlines()[1:]
    for file, expected in (row.split(",") for row in rows):
        found = faces.find_faces(faces.load_image(shared_faces / file), config)
        if _names(found, enrolled) != sorted(expected.split(";")):
            wrong[file] = _names(found, enrolled)
    assert wrong == {}


def test_the_app_encodes_with_onnx_by_default_and_both_share_one_encoder_name():
    assert FaceConfig().encoder_runtime == "onnx"
    assert ONNX.encoder_name == DLIB.encoder_name


def test_one_batch_of_faces_equals_the_faces_one_by_one(shared_faces):
    image = faces.load_image(shared_faces / "probe/obama_and_biden.jpg")
    rects = detection.detect(image, ONNX, ONNX.min_detect_px)
    assert len(rects) == 3
    batch = encoding.encode(image, rects, ONNX)
    for rect, face in zip(rects, batch, strict=True):
        alone = encoding.encode(image, [rect], ONNX)[0]
        assert np.abs(alone.encoding - face.encoding).max() < 1e-6


def test_threads_can_encode_at_once(shared_faces):
    image = faces.load_image(shared_faces / "enroll/obama/obama.jpg")
    expected = faces.find_faces(image, ONNX)[0].encoding
    results, errors = [], []

    def work():
        try:
            for _ in range(3):
                results.append(faces.find_faces(image, ONNX)[0].encoding)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 12
    assert all(np.array_equal(r, expected) for r in results)


def test_encode_refuses_chips_of_the_wrong_shape():
    with pytest.raises(ValueError, match="150, 150, 3"):
        onnx_encoder.encode(np.zeros((1, 100, 100, 3), dtype=np.uint8))
    assert onnx_encoder.encode(np.zeros((0, 150, 150, 3), dtype=np.uint8)).shape == (0, 128)


# --- the cached model ----------------------------------------------------------------


def test_the_model_is_converted_once_then_loaded_from_the_cache(tmp_path):
    first = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert first.rebuilt and (tmp_path / onnx_encoder.MODEL_FILENAME).is_file()
    second = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert not second.rebuilt
    model = onnx_encoder.MODEL_FILENAME
    assert sorted(p.name for p in tmp_path.iterdir()) == [model, model + onnx_encoder.CHECK_SUFFIX]
    assert (tmp_path / onnx_encoder.MODEL_FILENAME).stat().st_mode & 0o777 == 0o644


def test_a_missing_model_is_rebuilt(tmp_path):
    onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    (tmp_path / onnx_encoder.MODEL_FILENAME).unlink()
    assert onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path).rebuilt


def test_a_corrupt_model_is_rebuilt(tmp_path):
    (tmp_path / onnx_encoder.MODEL_FILENAME).write_bytes(b"not a model")
    encoder = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert encoder.rebuilt
    assert encoder.encode(np.zeros((1, 150, 150, 3), dtype=np.uint8)).shape == (1, 128)


def test_a_model_made_from_other_weights_is_rebuilt(tmp_path, net):
    path = tmp_path / onnx_encoder.MODEL_FILENAME
    model = onnx_encoder.build_model(net)
    onnx.helper.set_model_props(model, {"source_sha256": "0" * 64, "converter_version": "1"})
    onnx.save_model(model, path)
    encoder = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert encoder.rebuilt
    meta = encoder.session.get_modelmeta().custom_metadata_map
    assert meta["source_sha256"] == net.sha256


def test_changed_weights_make_the_cached_model_stale(tmp_path, net):
    """A new .dat (here: one weight of the first conv changed) gives a new model."""
    original = onnx_encoder.source_weights_path()
    changed = tmp_path / "changed.dat"
    data = bytearray(original.read_bytes())
    first_weight = data.index(b"con_4") + 5 + 11  # after the name and the tensor's header
    data[first_weight : first_weight + 4] = np.float32(0.5).tobytes()
    changed.write_bytes(bytes(data))
    cache = tmp_path / "cache"
    before = onnx_encoder.OnnxFaceEncoder(cache_dir=cache)
    after = onnx_encoder.OnnxFaceEncoder(cache_dir=cache, source=changed)
    assert after.rebuilt
    chip = np.full((1, 150, 150, 3), 128, dtype=np.uint8)
    assert not np.array_equal(before.encode(chip), after.encode(chip))


def test_the_management_command_builds_the_model_ahead_of_time(tmp_path):
    env = {**os.environ, "FACE_MODEL_CACHE_DIR": str(tmp_path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "build_face_encoder"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / onnx_encoder.MODEL_FILENAME).is_file()
    assert "built" in result.stdout and "max difference from dlib" in result.stdout


def test_an_unknown_runtime_stops_start_up_with_its_name():
    env = {**os.environ, "FACE_ENCODER_RUNTIME": "tensorflow"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "attendance_site.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FACE_ENCODER_RUNTIME must be one of onnx, dlib" in result.stderr


def test_an_unknown_runtime_is_refused_by_the_config():
    with pytest.raises(ValueError, match="encoder_runtime"):
        FaceConfig(encoder_runtime="tensorflow")


def test_the_cache_directory_is_made_when_missing(tmp_path):
    target = tmp_path / "a" / "b"
    onnx_encoder.OnnxFaceEncoder(cache_dir=target)
    assert (target / onnx_encoder.MODEL_FILENAME).is_file()


def test_an_unwritable_cache_directory_converts_in_memory(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    encoder = onnx_encoder.OnnxFaceEncoder(cache_dir=blocker / "models")
    assert encoder.rebuilt and "converting in memory" in caplog.text
    chip = np.full((1, 150, 150, 3), 128, dtype=np.uint8)
    cached = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path / "ok")
    assert np.array_equal(encoder.encode(chip), cached.encode(chip))


def test_with_68_point_landmarks_the_runtimes_agree_too(shared_faces):
    """compute_face_descriptor accepts 68-point shapes; get_face_chip cuts the same chip."""
    image = faces.load_image(shared_faces / "probe/obama_and_biden.jpg")
    large = {r: FaceConfig(landmarks_model="large", encoder_runtime=r) for r in ("onnx", "dlib")}
    ours, theirs = faces.find_faces(image, large["onnx"]), faces.find_faces(image, large["dlib"])
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs, strict=True):
        assert np.abs(a.encoding - b.encoding).max() <= MAX_ABS_DIFF


# --- the self-check at conversion ----------------------------------------------------------


def _off_by(factor: float):
    """build_model with its last layer's weights scaled by `factor`: a graph that runs
    fine and is wrong."""
    build = onnx_encoder.build_model

    def perturbed(net):
        model = build(net)
        fc = next(t for t in model.graph.initializer if t.name.startswith("fc"))
        weights = onnx.numpy_helper.to_array(fc) * np.float32(factor)
        fc.CopyFrom(onnx.numpy_helper.from_array(weights.astype(np.float32), fc.name))
        return model

    return perturbed


def test_the_reference_chips_are_real_faces_of_different_people():
    chips = onnx_encoder.reference_chips()
    assert chips.shape == (7, 150, 150, 3) and chips.dtype == np.uint8
    people = encoding.encode_chips_with_dlib(chips[:4])
    distances = np.linalg.norm(people[:, None] - people[None], axis=-1)
    assert distances[np.triu_indices(4, 1)].min() > 0.6  # four people, not one
    mirrored = encoding.encode_chips_with_dlib(chips[4:5])[0]
    assert np.linalg.norm(mirrored - people[0]) < 0.6  # the first face, mirrored


def test_a_normal_build_stores_its_measured_difference_with_the_model(tmp_path):
    encoder = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    check = onnx_encoder.read_check(encoder.path)
    assert check["accepted"] is True and check["reference_chips"] == 7
    assert 0 < check["max_difference"] <= onnx_encoder.TOLERANCE
    assert check["max_difference"] == encoder.max_difference
    assert check["model_sha256"] == hashlib.sha256(encoder.path.read_bytes()).hexdigest()
    again = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert not again.rebuilt and again.max_difference == encoder.max_difference
    assert onnx_encoder.problem(FaceConfig(model_cache_dir=tmp_path)) is None


def test_a_graph_off_by_more_than_the_tolerance_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_encoder, "build_model", _off_by(1.01))
    with pytest.raises(onnx_encoder.EncoderRefused) as refused:
        onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert refused.value.max_difference > onnx_encoder.TOLERANCE
    assert not (tmp_path / onnx_encoder.MODEL_FILENAME).exists()
    check = onnx_encoder.read_check(tmp_path / onnx_encoder.MODEL_FILENAME)
    assert check["accepted"] is False
    assert check["max_difference"] == refused.value.max_difference


def test_a_cached_graph_changed_after_its_check_is_rebuilt(tmp_path, net):
    good = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    onnx.save_model(_off_by(1.01)(net), good.path)  # current metadata, other weights
    again = onnx_encoder.OnnxFaceEncoder(cache_dir=tmp_path)
    assert again.rebuilt
    chip = onnx_encoder.reference_chips()[:1]
    assert np.array_equal(again.encode(chip), good.encode(chip))


def test_a_refused_graph_leaves_encoding_to_dlib_with_a_system_check_warning(
    tmp_path, monkeypatch, settings, shared_faces
):
    monkeypatch.setattr(onnx_encoder, "build_model", _off_by(1.01))
    monkeypatch.setattr(onnx_encoder, "_encoder", None)  # this process's encoder, restored
    monkeypatch.setattr(onnx_encoder, "_failure", None)
    settings.FACE_MODEL_CACHE_DIR = tmp_path
    settings.FACE_ENCODER_RUNTIME = "onnx"
    assert [m for m in checks.run_checks() if m.id == "recognition.W001"] == []

    image = faces.load_image(shared_faces / "enroll/obama/obama.jpg")
    found = faces.find_faces(image, FaceConfig.from_settings())

    assert np.array_equal(found[0].encoding, faces.find_faces(image, DLIB)[0].encoding)
    warnings = [m for m in checks.run_checks() if m.id == "recognition.W001"]
    assert len(warnings) == 1 and "differs from dlib" in warnings[0].msg
    # another process (`manage.py check` after a deployment) reads the stored refusal
    monkeypatch.setattr(onnx_encoder, "_failure", None)
    assert "differs from dlib" in onnx_encoder.problem(FaceConfig.from_settings())
