"""Reading dlib's face-recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`).

The file is dlib's own serialization of the trained network (`anet_type` of dlib's
`dnn_face_recognition_ex.cpp`), as written by `serialize(net)` in `dlib/dnn/core.h` and
the `serialize` functions of each layer in `dlib/dnn/layers.h`, `input.h` and `loss.h`.
This module parses it with numpy only (no dlib), so the ONNX converter
(`recognition.onnx_encoder`) can rebuild the same network with the same weights.

The format, as read here (every value is dlib's `serialize` of its C++ type):
- integers: one byte `n | 0x80 if negative`, then `n` little-endian bytes of magnitude;
- float/double: an integer mantissa and an integer exponent (value = m * 2**e);
- bool: the character '0' or '1'; string: an integer length, then the bytes;
- tensor: version 2, num_samples, k, nr, nc, then the values as little-endian float32;
- alias_tensor: version 1, num_samples, k, nr, nc (a view into the params tensor).

The network is nested (`loss<fc<avg_pool_everything<...<con<input>>>>>`): the loss layer
(version 1, "loss_metric_2", margin, distance threshold) comes first, then one version
number per wrapping layer from the outside in (2 for a computational layer, 1 for a tag
or skip layer, 3 for the innermost layer that holds the input), then the input layer
("input_rgb_image_sized": the per-channel means and the 150x150 size), then each
computational layer's details from the input outwards, each followed by its state (three
bools, three empty tensors; the innermost also the sample expansion factor).

Tags and skips carry no data in the file: the residual wiring (which tensor each
`add_prev` adds) is dlib's example definition, checked here against the layer sequence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

INPUT_SIZE = 150


class DlibModelError(ValueError):
    """The file is not the dlib face-recognition ResNet this module knows how to read."""


@dataclass
class Layer:
    """One computational layer of the file, in forward order."""

    kind: str  # con, affine, relu, max_pool, avg_pool, add_prev, fc
    # con: filters (out, in, kh, kw), bias (out,); affine: gamma (c,), beta (c,);
    # fc: weights (in, out)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    # con: stride, padding; pools: window (0 = the whole input), stride, padding
    stride: int = 1
    padding: int = 0
    window: int = 0


@dataclass
class DlibResNet:
    """The parsed network: input normalisation and the layers in forward order."""

    channel_means: tuple[float, float, float]  # red, green, blue, subtracted before /256
    input_size: int
    layers: list[Layer]
    sha256: str

    @property
    def convolutions(self) -> list[Layer]:
        return [layer for layer in self.layers if layer.kind == "con"]


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise DlibModelError("unexpected end of file")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def int(self) -> int:
        control = self._take(1)[0]
        size = control & 0x0F
        if size > 8 or control & 0x70:
            raise DlibModelError(f"bad integer at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if control & 0x80 else value

    def float(self) -> float:
        mantissa = self.int()
        exponent = self.int()
        return float(np.ldexp(np.float64(mantissa), exponent))

    def bool(self) -> bool:
        char = self._take(1)
        if char not in (b"0", b"1"):
            raise DlibModelError(f"bad bool at byte {self.pos - 1}")
        return char == b"1"

    def str(self) -> str:
        length = self.int()
        if not 0 <= length < 256:
            raise DlibModelError(f"bad string length at byte {self.pos}")
        return self._take(length).decode("ascii", "replace")

    def tensor(self) -> np.ndarray:
        version = self.int()
        if version != 2:
            raise DlibModelError(f"unknown tensor version {version}")
        shape = tuple(self.int() for _ in range(4))
        count = int(np.prod(shape))
        values = np.frombuffer(self._take(4 * count), dtype="<f4")
        return values.astype(np.float32).reshape(shape)

    def alias(self) -> tuple[int, int, int, int]:
        version = self.int()
        if version != 1:
            raise DlibModelError(f"unknown alias_tensor version {version}")
        return tuple(self.int() for _ in range(4))

    def expect(self, value: str) -> None:
        found = self.str()
        if found != value:
            raise DlibModelError(f"expected {value!r}, found {found!r}")


def _read_state(reader: _Reader) -> None:
    """The per-layer state after its details: 3 bools, 3 tensors (empty once cleaned)."""
    for _ in range(3):
        reader.bool()
    for _ in range(3):
        reader.tensor()


def _read_con(reader: _Reader) -> Layer:
    params = reader.tensor().reshape(-1)
    num_filters, nr, nc = reader.int(), reader.int(), reader.int()
    stride_y, stride_x = reader.int(), reader.int()
    padding_y, padding_x = reader.int(), reader.int()
    filters = reader.alias()
    biases = reader.alias()
    for _ in range(4):  # learning-rate and weight-decay multipliers
        reader.float()
    if stride_y != stride_x or padding_y != padding_x or nr != nc:
        raise DlibModelError("only square convolutions are supported")
    n_weights = int(np.prod(filters))
    if filters[0] != num_filters or (filters[2], filters[3]) != (nr, nc):
        raise DlibModelError(f"convolution filter shape {filters} does not match")
    if params.size != n_weights + num_filters or biases[1] != num_filters:
        raise DlibModelError("convolution parameter count does not match")
    return Layer(
        "con",
        {
            "weight": params[:n_weights].reshape(filters),
            "bias": params[n_weights:].copy(),
        },
        stride=stride_y,
        padding=padding_y,
        window=nr,
    )


def _read_affine(reader: _Reader) -> Layer:
    params = reader.tensor().reshape(-1)
    gamma = reader.alias()
    reader.alias()  # beta: the same shape, right after gamma
    mode = reader.int()
    channels = int(np.prod(gamma))
    if mode != 0 or params.size != 2 * channels:  # 0: CONV_MODE, one value per channel
        raise DlibModelError("only per-channel affine layers are supported")
    return Layer("affine", {"gamma": params[:channels].copy(), "beta": params[channels:].copy()})


def _read_pool(reader: _Reader, kind: str) -> Layer:
    nr, nc, stride_y, stride_x, padding_y, padding_x = (reader.int() for _ in range(6))
    if nr != nc or stride_y != stride_x or padding_y != padding_x:
        raise DlibModelError("only square pooling is supported")
    return Layer(kind, stride=stride_y, padding=padding_y, window=nr)


def _read_fc(reader: _Reader) -> Layer:
    num_outputs, num_inputs = reader.int(), reader.int()
    params = reader.tensor().reshape(-1)
    reader.alias()  # weights: (num_inputs, num_outputs)
    reader.alias()  # biases: empty without bias
    bias_mode = reader.int()
    for _ in range(4):
        reader.float()
    if bias_mode != 1 or params.size != num_inputs * num_outputs:  # 1: FC_NO_BIAS
        raise DlibModelError("only an fc layer without bias is supported")
    return Layer("fc", {"weight": params.reshape(num_inputs, num_outputs)})


_READERS = {
    "con_4": _read_con,
    "affine_": _read_affine,
    "relu_": lambda reader: Layer("relu"),
    "add_prev_": lambda reader: Layer("add_prev"),
    "max_pool_2": lambda reader: _read_pool(reader, "max_pool"),
    "avg_pool_2": lambda reader: _read_pool(reader, "avg_pool"),
    "fc_2": _read_fc,
}


def parse(data: bytes) -> DlibResNet:
    """Parse the bytes of dlib_face_recognition_resnet_model_v1.dat."""
    reader = _Reader(data)
    if reader.int() != 1:
        raise DlibModelError("unknown loss layer version")
    reader.expect("loss_metric_2")
    reader.float(), reader.float()  # margin, distance threshold: training only
    wrappers = []
    while True:
        version = reader.int()
        if version == 3:  # the innermost layer, which holds the input layer
            break
        if version not in (1, 2):
            raise DlibModelError(f"unknown layer version {version}")
        wrappers.append(version)
    reader.expect("input_rgb_image_sized")
    means = (reader.float(), reader.float(), reader.float())
    size_r, size_c = reader.int(), reader.int()
    if size_r != size_c:
        raise DlibModelError("the input is not square")
    layers = []
    while reader.pos < len(data):
        name = reader.str()
        if name not in _READERS:
            raise DlibModelError(f"unknown layer {name!r}")
        layers.append(_READERS[name](reader))
        _read_state(reader)
        if len(layers) == 1:
            reader.int()  # the input layer's sample expansion factor
    if len(layers) != wrappers.count(2) + 1:
        raise DlibModelError("the layer count does not match the file's structure")
    net = DlibResNet(
        channel_means=means,
        input_size=size_r,
        layers=layers,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    residual_blocks(net)  # checks the wiring
    return net


def load(path: str | Path) -> DlibResNet:
    return parse(Path(path).read_bytes())


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Block:
    """A residual block: conv-affine-relu-conv-affine, plus the shortcut.

    `downsample`: the shortcut is dlib's 2x2/2 average pool of the block's input (and the
    first conv has stride 2); otherwise the shortcut is the input itself. Either way the
    sum is followed by a relu.
    """

    conv1: Layer
    affine1: Layer
    conv2: Layer
    affine2: Layer
    downsample: bool


@dataclass
class Structure:
    stem_conv: Layer
    stem_affine: Layer
    stem_pool: Layer
    blocks: list[Block]
    fc: Layer


def residual_blocks(net: DlibResNet) -> Structure:
    """Group the layer sequence into dlib's example network, or DlibModelError.

    dlib's `anet_type`: con 7x7/2 - affine - relu - max_pool 3x3/2, then residual blocks
    (`ares`: relu(x + block(x)); `ares_down`: relu(avg_pool(x) + block(x))), then
    avg_pool_everything and fc_no_bias.
    """
    kinds = [layer.kind for layer in net.layers]
    layers = net.layers
    if kinds[:4] != ["con", "affine", "relu", "max_pool"] or kinds[-2:] != ["avg_pool", "fc"]:
        raise DlibModelError(f"unexpected network start or end: {kinds[:4]} ... {kinds[-2:]}")
    if layers[-2].window != 0:
        raise DlibModelError("the last pool is not avg_pool_everything")
    blocks = []
    i, end = 4, len(layers) - 2
    plain = ["con", "affine", "relu", "con", "affine", "add_prev", "relu"]
    down = ["con", "affine", "relu", "con", "affine", "avg_pool", "add_prev", "relu"]
    while i < end:
        if kinds[i : i + len(plain)] == plain:
            size, downsample = len(plain), False
        elif kinds[i : i + len(down)] == down:
            size, downsample = len(down), True
        else:
            raise DlibModelError(f"unexpected layers at {i}: {kinds[i : i + 8]}")
        conv1, affine1, _, conv2, affine2 = layers[i : i + 5]
        if downsample and (layers[i + 5].window, layers[i + 5].stride) != (2, 2):
            raise DlibModelError("the shortcut pool is not 2x2/2")
        blocks.append(Block(conv1, affine1, conv2, affine2, downsample))
        i += size
    return Structure(layers[0], layers[1], layers[3], blocks, layers[-1])
