"""``x @ w.T`` for a constant matrix ``w`` and a few rows ``x``: the classifier heads' products.

A head compares the embeddings of a prompt's views (two rows) with thousands of prototype
embeddings, and feeds its features through a hidden layer: memory-bound products, where the time
goes into reading ``w``. Numpy's BLAS reads ``w`` once per row of ``x``; ONNX Runtime's GEMM,
with ``w`` packed once as a constant, reads it once for all the rows (two embeddings against the
harm head's 3,388 prototypes on one core: 0.27 ms, against 0.51 ms row by row and 0.88 ms for
numpy's two-row product). :class:`ConstantProduct` uses it for 2 to :data:`FEW_ROWS` rows when
ONNX Runtime is installed (the ``guard-onnx`` extra) and :func:`matmul_t` otherwise; both give
the same product to float rounding.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
FEW_ROWS = 8


def matmul_t(x: FloatArray, w: FloatArray) -> FloatArray:
    """``x @ w.T`` in numpy, row by row when ``x`` has a few rows and ``w`` many: BLAS's
    matrix-vector product streams ``w`` once per row at full speed, while its matrix product with
    2-8 rows runs at about half that speed overall."""
    if 1 < x.shape[0] <= FEW_ROWS and w.shape[0] >= 256:
        return np.stack([w @ row for row in x]).astype(np.float32, copy=False)
    out: FloatArray = (x @ w.T).astype(np.float32, copy=False)
    return out


def _session(w: FloatArray) -> Any:
    """An ONNX Runtime session computing ``x @ w.T`` on one thread, or None without the runtime."""
    try:
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    from raikit.guard.encoder_onnx import serialized

    weights = numpy_helper.from_array(np.ascontiguousarray(w.T, np.float32), "w_t")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w_t"], ["y"])],
        "constant_product",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", int(w.shape[1])])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", int(w.shape[0])])],
        [weights],
    )
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(serialized(graph, opset=17), options, providers=["CPUExecutionProvider"])


class ConstantProduct:
    """``x @ w.T`` for the constant ``w`` (see the module); the session is built on first use."""

    def __init__(self, w: FloatArray) -> None:
        self.w = w
        self._session: Any = None
        self._built = False
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Build the session now (a serving head does, when it loads) rather than on the first
        product of a few rows, where it would add ~10 ms to one request."""
        if not self._built and self.w.shape[0] and self.w.shape[1]:
            with self._lock:
                if not self._built:
                    self._session = _session(self.w)
                    self._built = True

    def __call__(self, x: FloatArray) -> FloatArray:
        if 1 < x.shape[0] <= FEW_ROWS and self.w.shape[0] and self.w.shape[1]:
            self.prepare()
            if self._session is not None:
                out: FloatArray = self._session.run(["y"], {"x": np.ascontiguousarray(x, np.float32)})[0]
                return out
        return matmul_t(x, self.w)
