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
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from recognition import dlib_weights, model_files

logger = logging.getLogger(__name__)

# Bump when the graph built from the same weights changes: cached models are rebuilt.
CONVERTER_VERSION = "1"
MODEL_FILENAME = "dlib_face_recognition_resnet_model_v1.onnx"
INPUT_NAME = "chips"
OUTPUT_NAME = "encodings"
DEFAULT_THREADS = 1


def source_weights_path() -> Path:
    """The .dat file of the installed face_recognition_models package."""
    return model_files.model_path("encoder")


def default_cache_dir() -> Path:
    """Setting FACE_MODEL_CACHE_DIR, else <project>/.cache/models."""
    fallback = Path(__file__).resolve().parent.parent / ".cache" / "models"
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        try:
            value = getattr(settings, "FACE_MODEL_CACHE_DIR", None)
        except ImproperlyConfigured:
            value = None
    except ImportError:
        value = None
    return Path(value) if value else fallback


def default_threads() -> int:
    """Setting FACE_ENCODER_THREADS (ONNX Runtime intra-op threads), else 1."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        try:
            return int(getattr(settings, "FACE_ENCODER_THREADS", DEFAULT_THREADS))
        except ImproperlyConfigured:
            return DEFAULT_THREADS
    except ImportError:
        return DEFAULT_THREADS


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


def convert(source: Path, target: Path) -> Path:
    """Parse the dlib file, build the ONNX model, write it atomically to `target`."""
    model = build_model(dlib_weights.load(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    # Several processes (web workers, Celery) may convert at once: each writes its own
    # temporary file and renames it into place, so a reader never sees half a model.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(model.SerializeToString())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a server running as another user
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    logger.info("converted %s to %s", source, target)
    return target


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
    """A loaded ONNX Runtime session of the converted network (thread-safe `encode`)."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        threads: int | None = None,
        source: Path | None = None,
    ):
        self.source = Path(source or source_weights_path())
        self.path = Path(cache_dir or default_cache_dir()) / MODEL_FILENAME
        self.threads = max(1, threads or default_threads())
        self.source_sha256 = dlib_weights.file_sha256(self.source)
        self.rebuilt = False
        self.session = self._load()

    def _is_current(self, session) -> bool:
        meta = session.get_modelmeta().custom_metadata_map
        return (
            meta.get("source_sha256") == self.source_sha256
            and meta.get("converter_version") == CONVERTER_VERSION
        )

    def _open(self, model: bytes | None = None):
        import onnxruntime as ort

        return ort.InferenceSession(
            model or str(self.path),
            session_options(self.threads),
            providers=["CPUExecutionProvider"],
        )

    def _load(self):
        try:
            return self._load_or_convert()
        finally:
            _release_freed_memory()

    def _load_or_convert(self):
        if self.path.exists():
            try:
                session = self._open()
                if self._is_current(session):
                    return session
                logger.info("%s was made from other weights: rebuilding it", self.path)
            except Exception as exc:  # truncated or corrupt file
                logger.warning("cannot load %s (%s): rebuilding it", self.path, exc)
        self.rebuilt = True
        try:
            convert(self.source, self.path)
        except OSError as exc:  # a read-only or misconfigured cache directory
            logger.warning(
                "cannot write %s (%s): converting in memory; set FACE_MODEL_CACHE_DIR to a "
                "writable folder to convert once",
                self.path,
                exc,
            )
            model = build_model(dlib_weights.load(self.source)).SerializeToString()
            return self._open(model)
        session = self._open()
        if not self._is_current(session):
            raise RuntimeError(f"{self.path} does not match {self.source} after conversion")
        return session

    def encode(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB chips -> (N, 128) float32 encodings."""
        chips = np.ascontiguousarray(chips, dtype=np.uint8)
        if chips.ndim != 4 or chips.shape[1:] != (150, 150, 3):
            raise ValueError(f"expected (N, 150, 150, 3) chips, not {chips.shape}")
        if len(chips) == 0:
            return np.zeros((0, 128), dtype=np.float32)
        return self.session.run([OUTPUT_NAME], {INPUT_NAME: chips})[0]


def _release_freed_memory() -> None:
    """Give back to the system what loading freed (the parsed model, ~55 MB).

    glibc's malloc keeps freed memory in the process; without this a web worker stays
    ~54 MiB larger after loading the session (measured: +118 MiB RSS instead of +66 MiB).
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_encoder: OnnxFaceEncoder | None = None
_lock = threading.Lock()


def get_encoder() -> OnnxFaceEncoder:
    """The process's encoder, loaded (and converted if needed) at first use."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = OnnxFaceEncoder()
    return _encoder


def encode(chips: np.ndarray) -> np.ndarray:
    return get_encoder().encode(chips)
