"""dlib's face-recognition ResNet, converted to ONNX and run by ONNX Runtime.

Same network, same trained weights, same input as dlib's `compute_face_descriptor`; only
the runtime changes (the `dlib-bin` wheel has no BLAS and holds the GIL; ONNX Runtime's
convolutions are several times faster and release it). `recognition.faces` calls
`encode(chips)` with the 150x150 aligned chips it cut with dlib; nothing else in the
project knows which runtime encodes (setting `FACE_ENCODER_RUNTIME`).

The conversion needs no download: it reads `dlib_face_recognition_resnet_model_v1.dat`
from the installed `face_recognition_models` package (`recognition.dlib_weights`), builds
the graph with the `onnx` helpers and writes it to `FACE_MODEL_CACHE_DIR` (git-ignored;
default `<project>/.cache/models`) with the SHA-256 of the source weights and the
converter version in the model's metadata. A cached model that is missing, unreadable or
made from other weights (or by another converter version) is rebuilt at first use
(`python manage.py build_face_encoder` does it ahead of time; ~1 s).

The graph: uint8 chips (N, 150, 150, 3) RGB -> float, minus dlib's per-channel means,
divided by 256 (`input_rgb_image`), NCHW -> conv 7x7/2 (affine folded into it) - relu -
max pool 3x3/2 -> 14 residual blocks -> global average pool -> 128-d matmul (no bias).
dlib's residual add of tensors of different sizes (`add_prev`) treats the missing
channels, rows and columns as zeros (top-left aligned): the graph pads both sides to the
larger size with zeros at the end, which is the same.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from recognition import dlib_weights, model_files
from recognition.config import FaceConfig

logger = logging.getLogger(__name__)

# Bump when the graph built from the same weights changes: cached models are rebuilt.
CONVERTER_VERSION = "1"
MODEL_FILENAME = "dlib_face_recognition_resnet_model_v1.onnx"
INPUT_NAME = "chips"
OUTPUT_NAME = "encodings"
CHECK_SUFFIX = ".check.json"  # the self-check's result, next to the model
# The largest difference from dlib's own encodings (any dimension, any reference chip) that
# a converted graph may have; a correct conversion measures ~1e-6.
TOLERANCE = 1e-4
REFERENCE_CHIPS = Path(__file__).resolve().parent / "data" / "reference_chips.jpg"


class EncoderRefused(RuntimeError):
    """The converted graph does not give dlib's encodings on the reference chips."""

    def __init__(self, max_difference: float):
        self.max_difference = max_difference
        super().__init__(
            f"the converted graph differs from dlib by {max_difference:.3g} on the reference "
            f"chips (at most {TOLERANCE:g} allowed)"
        )


def source_weights_path() -> Path:
    """The .dat file of the installed face_recognition_models package."""
    return model_files.model_path("encoder")


# ---------------------------------------------------------------------------------------
# Building the graph


def build_model(net: dlib_weights.DlibResNet):
    """The ONNX ModelProto of the parsed dlib network."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    structure = dlib_weights.residual_blocks(net)
    nodes, inits = [], []
    counter = iter(range(1_000_000))

    def name(prefix: str) -> str:
        return f"{prefix}_{next(counter)}"

    def const(array: np.ndarray, prefix: str) -> str:
        tensor_name = name(prefix)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), tensor_name))
        return tensor_name

    def node(op: str, inputs: list[str], **attrs) -> str:
        out = name(op.lower())
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def conv(x: str, conv_layer, affine_layer) -> str:
        # dlib: affine(conv(x) + b) = gamma * (W*x + b) + beta, folded into one conv.
        gamma = affine_layer.arrays["gamma"].astype(np.float64)
        beta = affine_layer.arrays["beta"].astype(np.float64)
        weight = conv_layer.arrays["weight"].astype(np.float64) * gamma[:, None, None, None]
        bias = conv_layer.arrays["bias"].astype(np.float64) * gamma + beta
        k, p, s = conv_layer.window, conv_layer.padding, conv_layer.stride
        return node(
            "Conv",
            [x, const(weight.astype(np.float32), "w"), const(bias.astype(np.float32), "b")],
            kernel_shape=[k, k],
            strides=[s, s],
            pads=[p, p, p, p],
        )

    def out_size(size: int, window: int, stride: int, padding: int) -> int:
        return 1 + (size + 2 * padding - window) // stride  # dlib's (and ONNX's floor)

    def pad_to(x: str, have: tuple[int, int], want: tuple[int, int]) -> str:
        """Zeros at the end of the channel and spatial axes (have/want: channels, side)."""
        if have == want:
            return x
        dc, ds = want[0] - have[0], want[1] - have[1]
        pads = np.array([0, 0, 0, 0, 0, dc, ds, ds], dtype=np.int64)
        return node("Pad", [x, const(pads, "pads")], mode="constant")

    means = np.array(net.channel_means, dtype=np.float32).reshape(1, 1, 1, 3)
    x = node("Cast", [INPUT_NAME], to=TensorProto.FLOAT)
    x = node("Sub", [x, const(means, "means")])
    x = node("Mul", [x, const(np.array(1 / 256, dtype=np.float32), "scale")])
    x = node("Transpose", [x], perm=[0, 3, 1, 2])

    stem = structure.stem_conv
    side = out_size(net.input_size, stem.window, stem.stride, stem.padding)
    x = node("Relu", [conv(x, stem, structure.stem_affine)])
    pool = structure.stem_pool
    x = node(
        "MaxPool",
        [x],
        kernel_shape=[pool.window] * 2,
        strides=[pool.stride] * 2,
        pads=[pool.padding] * 4,
    )
    side = out_size(side, pool.window, pool.stride, pool.padding)
    channels = stem.arrays["weight"].shape[0]

    for block in structure.blocks:
        c1, c2 = block.conv1, block.conv2
        y = node("Relu", [conv(x, c1, block.affine1)])
        y_side = out_size(side, c1.window, c1.stride, c1.padding)
        y = conv(y, c2, block.affine2)
        y_side = out_size(y_side, c2.window, c2.stride, c2.padding)
        y_channels = c2.arrays["weight"].shape[0]
        if block.downsample:
            shortcut = node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
            s_side = out_size(side, 2, 2, 0)
        else:
            shortcut, s_side = x, side
        want = (max(channels, y_channels), max(s_side, y_side))
        shortcut = pad_to(shortcut, (channels, s_side), want)
        y = pad_to(y, (y_channels, y_side), want)
        x = node("Relu", [node("Add", [shortcut, y])])
        channels, side = want

    x = node("GlobalAveragePool", [x])
    x = node("Flatten", [x], axis=1)
    fc = structure.fc.arrays["weight"]
    if fc.shape[0] != channels:
        raise dlib_weights.DlibModelError("the fc layer does not match the last block")
    out = node("MatMul", [x, const(fc, "fc")])
    nodes.append(helper.make_node("Identity", [out], [OUTPUT_NAME], name="output"))

    graph = helper.make_graph(
        nodes,
        "dlib_face_recognition_resnet_model_v1",
        [
            helper.make_tensor_value_info(
                INPUT_NAME, TensorProto.UINT8, ["n", net.input_size, net.input_size, 3]
            )
        ],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["n", fc.shape[1]])],
        inits,
    )
    model = helper.make_model(
        graph,
        producer_name="attendance recognition.onnx_encoder",
        opset_imports=[helper.make_opsetid("", 17)],
    )
    model.ir_version = 8  # opset 17: readable by any onnxruntime >= 1.13
    helper.set_model_props(
        model,
        {"source_sha256": net.sha256, "converter_version": CONVERTER_VERSION},
    )
    onnx.checker.check_model(model)
    return model


def reference_chips() -> np.ndarray:
    """(N, 150, 150, 3) uint8 chips the converted graph is checked on.

    Four real faces as dlib's aligner cut them (`data/reference_chips.jpg`, side by side;
    shipped with the code so the check runs where the sample photos are not, see
    data/README.md) and the first one mirrored, plus two arrays derived from a fixed seed:
    smooth gradients with noise, and a flat grey. Real chips exercise the network where it
    works; the synthetic ones reach activations faces do not.
    """
    from PIL import Image

    with Image.open(REFERENCE_CHIPS) as strip:
        pixels = np.asarray(strip.convert("RGB"), dtype=np.uint8)
    faces = np.stack(np.split(pixels, pixels.shape[1] // 150, axis=1))
    rng = np.random.default_rng(20261204)
    ramp = np.linspace(0, 255, 150, dtype=np.float32)
    smooth = (ramp[:, None, None] * 0.6 + ramp[None, :, None] * 0.4) * np.array([1.0, 0.8, 0.6])
    noisy = np.clip(smooth + rng.normal(0, 24, smooth.shape), 0, 255).astype(np.uint8)
    grey = np.full((150, 150, 3), 128, dtype=np.uint8)
    return np.concatenate([faces, faces[:1, :, ::-1], noisy[None], grey[None]])


def measure(model: bytes, source: Path) -> float:
    """The largest difference between the graph's and dlib's encodings of the reference
    chips, dlib running the same weights file."""
    from recognition import encoding  # dlib's side of the comparison

    chips = reference_chips()
    session = _session(model, 1)
    ours = session.run([OUTPUT_NAME], {INPUT_NAME: chips})[0]
    theirs = encoding.encode_chips_with_dlib(chips, weights=source)
    return float(np.abs(ours - theirs).max())


def convert(source: Path, target: Path) -> Path:
    """Parse the dlib file, build the ONNX model, check it against dlib, write both the
    model and its check (`<model>.check.json`) atomically next to `target`.

    A graph off by more than TOLERANCE is not written: EncoderRefused (its check is, so
    the system check can say why).
    """
    model, difference = _checked_model(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    _store(source, target, model, difference)
    return target


def _store(source: Path, target: Path, model: bytes, difference: float) -> None:
    if difference > TOLERANCE:
        _write_atomically(check_path(target), _check_record(source, None, difference))
        raise EncoderRefused(difference)
    _write_atomically(target, model)
    _write_atomically(check_path(target), _check_record(source, model, difference))
    logger.info("converted %s to %s (max difference from dlib %.2g)", source, target, difference)


def check_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + CHECK_SUFFIX)


def read_check(model_path: Path) -> dict | None:
    """The stored self-check of the model at `model_path`, or None when there is none."""
    try:
        return json.loads(check_path(model_path).read_text())
    except (OSError, ValueError):
        return None


def _checked_model(source: Path) -> tuple[bytes, float]:
    model = build_model(dlib_weights.load(source)).SerializeToString()
    return model, measure(model, source)


def _check_record(source: Path, model: bytes | None, difference: float) -> bytes:
    record = {
        "accepted": model is not None,
        "max_difference": difference,
        "tolerance": TOLERANCE,
        "reference_chips": len(reference_chips()),
        "source_sha256": dlib_weights.file_sha256(source),
        "converter_version": CONVERTER_VERSION,
        "model_sha256": hashlib.sha256(model).hexdigest() if model is not None else None,
    }
    return json.dumps(record, indent=2).encode()


def _write_atomically(target: Path, data: bytes) -> None:
    # Several processes (web workers, Celery) may convert at once: each writes its own
    # temporary file and renames it into place, so a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a server running as another user
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------
# Running it


def session_options(threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # No busy-waiting between ops: several web/Celery processes share 2 cores, and a
    # spinning pool thread would take CPU another process needs.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return options


class OnnxFaceEncoder:
    """A loaded ONNX Runtime session of the converted network (thread-safe `encode`).

    Loads the cached model when it and its stored check are current, else converts and
    checks it again. Raises EncoderRefused when the graph is off by more than TOLERANCE,
    and whatever else stopped the build; `usable_encoder` turns both into dlib's encoder.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        threads: int | None = None,
        source: Path | None = None,
    ):
        config = FaceConfig.from_settings()
        self.source = Path(source or source_weights_path())
        self.path = Path(cache_dir or config.model_cache_dir) / MODEL_FILENAME
        self.threads = max(1, threads or config.encoder_threads)
        self.source_sha256 = dlib_weights.file_sha256(self.source)
        self.rebuilt = False
        self.max_difference: float | None = None
        self.session = self._load()

    def _is_current(self, session) -> bool:
        meta = session.get_modelmeta().custom_metadata_map
        return (
            meta.get("source_sha256") == self.source_sha256
            and meta.get("converter_version") == CONVERTER_VERSION
        )

    def _passed_its_check(self, model: bytes, check: dict | None) -> bool:
        return bool(
            check
            and check.get("accepted")
            and check.get("max_difference", TOLERANCE + 1) <= TOLERANCE
            and check.get("source_sha256") == self.source_sha256
            and check.get("converter_version") == CONVERTER_VERSION
            and check.get("model_sha256") == hashlib.sha256(model).hexdigest()
        )

    def _open(self, model: bytes):
        return _session(model, self.threads)

    def _load(self):
        try:
            return self._load_or_convert()
        finally:
            _release_freed_memory()

    def _load_or_convert(self):
        if self.path.exists():
            try:
                model, check = self.path.read_bytes(), read_check(self.path)
                if self._passed_its_check(model, check):
                    session = self._open(model)
                    if self._is_current(session):
                        self.max_difference = check["max_difference"]
                        return session
                logger.info("%s is stale or was not checked: rebuilding it", self.path)
            except Exception as exc:  # truncated or corrupt file
                logger.warning("cannot load %s (%s): rebuilding it", self.path, exc)
        self.rebuilt = True
        model, self.max_difference = _checked_model(self.source)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _store(self.source, self.path, model, self.max_difference)
        except OSError as exc:  # a read-only or misconfigured cache directory
            logger.warning(
                "cannot write %s (%s): converting in memory; set FACE_MODEL_CACHE_DIR to a "
                "writable folder to convert once",
                self.path,
                exc,
            )
            if self.max_difference > TOLERANCE:
                raise EncoderRefused(self.max_difference) from None
        return self._open(model)

    def encode(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB chips -> (N, 128) float32 encodings."""
        chips = np.ascontiguousarray(chips, dtype=np.uint8)
        if chips.ndim != 4 or chips.shape[1:] != (150, 150, 3):
            raise ValueError(f"expected (N, 150, 150, 3) chips, not {chips.shape}")
        if len(chips) == 0:
            return np.zeros((0, 128), dtype=np.float32)
        return self.session.run([OUTPUT_NAME], {INPUT_NAME: chips})[0]


def _session(model: bytes, threads: int):
    import onnxruntime as ort

    return ort.InferenceSession(model, session_options(threads), providers=["CPUExecutionProvider"])


def _release_freed_memory() -> None:
    """Give back to the system what loading freed (the parsed model, ~55 MB).

    glibc's malloc keeps freed memory in the process; without this a web worker stays
    ~54 MiB larger after loading the session (measured: +118 MiB RSS instead of +66 MiB).
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_encoder: OnnxFaceEncoder | None = None
_failure: str | None = None
_lock = threading.Lock()


def usable_encoder(config: FaceConfig) -> OnnxFaceEncoder | None:
    """The process's encoder, loaded (converted and checked if needed) at first use; None
    when that failed: faces are then encoded by dlib, and `problem` says why (once per
    process, not retried: a refused graph stays refused until the next start)."""
    global _encoder, _failure
    if _encoder is None and _failure is None:
        with _lock:
            if _encoder is None and _failure is None:
                try:
                    _encoder = OnnxFaceEncoder(config.model_cache_dir, config.encoder_threads)
                except Exception as exc:
                    _failure = f"{type(exc).__name__}: {exc}"
                    logger.warning("ONNX face encoder unavailable, dlib encodes: %s", _failure)
    return _encoder


def problem(config: FaceConfig) -> str | None:
    """Why faces are not encoded by the ONNX graph although `config` asks for it, or None.

    This process's own failure, else the stored check of the cached model when it refused
    the graph. Reads no model: cheap enough for a system check.
    """
    if config.encoder_runtime != "onnx":
        return None
    if _failure is not None:
        return _failure
    check = read_check(Path(config.model_cache_dir) / MODEL_FILENAME)
    if check is not None and not check.get("accepted"):
        return str(EncoderRefused(float(check.get("max_difference", float("nan")))))
    return None


def get_encoder() -> OnnxFaceEncoder:
    """The process's encoder (raises when it cannot be built: see `usable_encoder`)."""
    encoder = usable_encoder(FaceConfig.from_settings())
    if encoder is None:
        raise RuntimeError(f"the ONNX face encoder is unavailable: {_failure}")
    return encoder


def encode(chips: np.ndarray) -> np.ndarray:
    return get_encoder().encode(chips)
