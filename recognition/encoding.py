"""The face encoding as a value: 128 float32 numbers, stored as 512 bytes.

The one place that knows the encoding's size and byte layout, shared by the face seam,
the classifier and the models that store encodings.
"""

import numpy as np

ENCODING_SIZE = 128


def pack(vector) -> bytes:
    """128 float32 values: 512 bytes instead of a 2 KB JSON list."""
    array = np.asarray(vector, dtype=np.float32)
    if array.shape != (ENCODING_SIZE,):
        raise ValueError(f"expected {ENCODING_SIZE} values, got shape {array.shape}")
    return array.tobytes()


def unpack_many(blobs) -> np.ndarray:
    """Stored encodings as one (N, 128) float32 array."""
    data = b"".join(bytes(blob) for blob in blobs)
    return np.frombuffer(data, dtype=np.float32).reshape(-1, ENCODING_SIZE)
