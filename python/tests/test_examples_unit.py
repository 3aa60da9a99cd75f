"""Unit tests of tileflow.examples that need no compiled engine.

Reference results come from scipy.ndimage and from straightforward re-derivations of the
documented algorithms (per-pixel Perlin noise in float64, a per-pixel float32 Sobel).
``SobelEdgeDetector.process`` runs the engine and is tested with it elsewhere.
"""


import numpy as np
import pytest
import scipy.ndimage as ndi

from tileflow import examples
from tileflow.examples import SobelEdgeDetector, generate_multichannel_image, generate_test_image, max_filter2d, perlin_fbm


def _random(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).random(shape).astype(dtype)


def _per_plane(function, x):
    """Apply a 2-D ``function`` to every plane of ``x`` (last two axes)."""
    planes = x.reshape(-1, *x.shape[-2:])
    return np.stack([function(p) for p in planes]).reshape(x.shape)


# --- max_filter2d -----------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 9, 15, (3, 5), (7, 1)])
@pytest.mark.parametrize("shape", [(40, 33), (5, 7), (1, 9), (9, 1)])
def test_max_filter_equals_scipy_mirror(shape, k):
    x = _random(shape)
    size = (k, k) if isinstance(k, int) else k
    expected = ndi.maximum_filter(x, size=size, mode="mirror")
    np.testing.assert_array_equal(max_filter2d(x, k), expected)


def test_max_filter_of_an_impulse_is_a_k_box():
    x = np.zeros((11, 11))
    x[5, 5] = 1.0
    expected = np.zeros((11, 11))
    expected[4:7, 3:8] = 1.0
    np.testing.assert_array_equal(max_filter2d(x, (3, 5)), expected)


def test_max_filter_filters_each_plane_of_nd_arrays():
    x = (_random((2, 3, 30, 20)) * 60000).astype(np.uint16)
    result = max_filter2d(x, (5, 3))
    assert result.dtype == np.uint16
    expected = _per_plane(lambda p: ndi.maximum_filter(p, size=(5, 3), mode="mirror"), x)
    np.testing.assert_array_equal(result, expected)


def test_max_filter_leaves_its_input_alone_across_bands(monkeypatch):
    monkeypatch.setattr(examples, "_BLOCK_ELEMENTS", 50)  # bands of 2 rows
    x = _random((23, 25))
    before = x.copy()
    result = max_filter2d(x, 9)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(result, ndi.maximum_filter(x, size=9, mode="mirror"))


@pytest.mark.parametrize("k", [4, (3, 4), 0, (-1, 3)])
def test_max_filter_rejects_even_or_non_positive_k(k):
    with pytest.raises(AssertionError, match="must be odd"):
        max_filter2d(np.zeros((10, 10)), k)


# --- Sobel tile function ----------------------------------------------------------------


def _scipy_sobel(x):
    return np.hypot(ndi.sobel(x, 1, mode="mirror"), ndi.sobel(x, 0, mode="mirror"))


@pytest.mark.parametrize("shape", [(37, 53), (5, 7), (1, 9), (9, 1), (1, 1)])
def test_sobel_filter_matches_scipy(shape):
    x = _random(shape)
    result = SobelEdgeDetector._sobel_filter(x)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, _scipy_sobel(x.astype(np.float64)), rtol=1e-6, atol=1e-6)


def test_sobel_filter_has_scipys_float32_bits():
    x = _random((64, 80), seed=3) * np.float32(1000)
    gx = ndi.sobel(x, axis=1, mode="mirror")
    gy = ndi.sobel(x, axis=0, mode="mirror")
    np.testing.assert_array_equal(SobelEdgeDetector._sobel_filter(x), np.sqrt(gx * gx + gy * gy))


def test_sobel_filter_converts_integers_and_takes_a_tile_spec():
    x = (_random((16, 16)) * 4000).astype(np.uint16)
    detector = SobelEdgeDetector()
    result = detector._sobel_filter(x, None)
    np.testing.assert_array_equal(result, SobelEdgeDetector._sobel_filter(x.astype(np.float32)))


def test_sobel_filter_treats_leading_axes_as_planes():
    x = _random((2, 3, 20, 17))
    expected = _per_plane(SobelEdgeDetector._sobel_filter, x)
    np.testing.assert_array_equal(SobelEdgeDetector._sobel_filter(x), expected)


def test_sobel_of_a_vertical_step():
    x = np.zeros((6, 8), np.float32)
    x[:, 4:] = 1.0
    result = SobelEdgeDetector._sobel_filter(x)
    assert np.all(result[:, [3, 4]] == 4.0)  # (1 + 2 + 1) on both sides of the step
    assert np.all(result[:, [0, 1, 2, 5, 6, 7]] == 0.0)


def test_detector_keeps_its_configuration():
    detector = SobelEdgeDetector(tile_size=(64, 64), overlap=(8, 8))
    assert (detector.tile_size, detector.overlap) == ((64, 64), (8, 8))
    assert (SobelEdgeDetector().tile_size, SobelEdgeDetector().overlap) == ((128, 128), (8, 8))


# --- Perlin noise -----------------------------------------------------------------------


def _reference_perlin(shape, scale, seed):
    """Documented Perlin recipe in float64, each pixel from its four corner gradients."""
    h, w = shape
    lattice = (h // scale + 2, w // scale + 2)
    angles = np.random.default_rng(seed).uniform(0, 2 * np.pi, size=lattice)
    y = np.arange(h)[:, None] / scale
    x = np.arange(w)[None, :] / scale
    i, j = np.floor(y).astype(int), np.floor(x).astype(int)
    fy, fx = y - i, x - j

    def corner(di, dj):
        a = angles[i + di, j + dj]
        return np.cos(a) * (fx - dj) + np.sin(a) * (fy - di)

    def fade(t):
        return 6 * t**5 - 15 * t**4 + 10 * t**3

    u, v = fade(fx), fade(fy)
    upper = corner(0, 0) * (1 - u) + corner(0, 1) * u
    lower = corner(1, 0) * (1 - u) + corner(1, 1) * u
    noise = upper * (1 - v) + lower * v
    return (noise - noise.min()) / (noise.max() - noise.min())


@pytest.mark.parametrize(
    "shape, scale", [((70, 90), 16), ((64, 64), 64), ((45, 31), 7), ((9, 5), 2)]
)
def test_perlin_matches_the_documented_recipe(shape, scale):
    result = examples._perlin_2d(shape, scale, seed=11)
    assert result.dtype == np.float32
    assert result.min() == 0.0 and result.max() == 1.0
    np.testing.assert_allclose(result, _reference_perlin(shape, scale, 11), atol=2e-6)


def test_perlin_with_unit_cells_is_zero():
    # Every pixel is a lattice point, where gradient noise vanishes.
    np.testing.assert_array_equal(examples._perlin_2d((6, 7), 1, seed=0), np.zeros((6, 7)))


def test_perlin_is_the_same_when_computed_in_small_blocks(monkeypatch):
    expected = examples._perlin_2d((50, 40), 32, seed=2)
    monkeypatch.setattr(examples, "_BLOCK_ELEMENTS", 120)  # 3 rows per block
    np.testing.assert_array_equal(examples._perlin_2d((50, 40), 32, seed=2), expected)


def test_fbm_octaves_are_seeded_from_the_seed_and_averaged():
    seeds = np.random.default_rng(5)
    first, second = (int(seeds.integers(0, 2**31 - 1)) for _ in range(2))
    one = perlin_fbm((48, 64), base_scale=16, octaves=1, seed=5)
    np.testing.assert_array_equal(one, examples._perlin_2d((48, 64), 16, seed=first))
    two = perlin_fbm((48, 64), base_scale=16, octaves=2, seed=5)
    expected = (one + 0.5 * examples._perlin_2d((48, 64), 8, seed=second)) / 1.5
    np.testing.assert_allclose(two, expected, atol=1e-6)


def test_fbm_statistics_and_determinism():
    noise = perlin_fbm((512, 512), seed=0)
    assert noise.dtype == np.float32 and noise.shape == (512, 512)
    assert 0.45 < noise.mean() < 0.55
    assert 0.09 < noise.std() < 0.15
    assert 0.0 < noise.min() and noise.max() < 1.0
    np.testing.assert_array_equal(noise, perlin_fbm((512, 512), seed=0))
    assert not np.array_equal(noise, perlin_fbm((512, 512), seed=1))


def test_generator_options_are_keyword_only_like_the_original():
    with pytest.raises(TypeError):
        perlin_fbm((32, 32), 16)
    with pytest.raises(TypeError):
        generate_test_image((32, 32), "perlin")


def test_fbm_needs_an_octave():
    with pytest.raises(ValueError, match="octaves"):
        perlin_fbm((8, 8), octaves=0)


# --- generate_test_image ----------------------------------------------------------------


def test_perlin_test_image_is_fbm():
    image = generate_test_image((96, 80), seed=4, perlin_scale=32, perlin_octaves=2)
    expected = perlin_fbm((96, 80), base_scale=32, octaves=2, seed=4)
    np.testing.assert_array_equal(image, expected)


def test_random_max_test_image_is_normalised_max_filtered_noise():
    noise = np.random.default_rng(7).random((64, 48), dtype=np.float32)
    filtered = ndi.maximum_filter(noise, size=5, mode="mirror")
    expected = (filtered - filtered.min()) / (filtered.max() - filtered.min())
    image = generate_test_image((64, 48), mode="random_max", seed=7, max_k=5)
    assert image.dtype == np.float32
    np.testing.assert_allclose(image, expected, atol=1e-7)
    assert image.min() == 0.0 and image.max() == 1.0


def test_unknown_mode():
    with pytest.raises(ValueError, match="^Unknown mode: invalid$"):
        generate_test_image((8, 8), mode="invalid")


# --- generate_multichannel_image --------------------------------------------------------


def test_multichannel_channels_follow_the_recipe():
    image = generate_multichannel_image((4, 64, 96), seed=42)
    assert image.shape == (4, 64, 96) and image.dtype == np.float32
    assert image.flags.c_contiguous
    dapi = generate_test_image((64, 96), mode="random_max", seed=42, max_k=15)
    np.testing.assert_array_equal(image[0], dapi)
    np.testing.assert_array_equal(image[1], generate_test_image((64, 96), seed=43, perlin_scale=32))
    np.testing.assert_array_equal(image[2], generate_test_image((64, 96), seed=44))
    np.testing.assert_array_equal(image[3], generate_test_image((64, 96), seed=45))


def test_multichannel_statistics():
    image = generate_multichannel_image((4, 512, 512))
    assert 0.90 < image[0].mean() < 0.96 and 0.04 < image[0].std() < 0.10
    for channel in image[1:]:
        assert 0.45 < channel.mean() < 0.55 and 0.09 < channel.std() < 0.15
    assert image.min() >= 0.0 and image.max() <= 1.0


def test_channel_modes_are_not_modified_and_padded_with_perlin():
    modes = ["perlin"]
    image = generate_multichannel_image((3, 32, 40), seed=1, channel_modes=modes)
    assert modes == ["perlin"]
    np.testing.assert_array_equal(image[0], generate_test_image((32, 40), seed=1))
    np.testing.assert_array_equal(image[2], generate_test_image((32, 40), seed=3))


def test_random_max_beyond_channel_zero_uses_the_default_kernel():
    image = generate_multichannel_image((2, 32, 32), seed=0, channel_modes=("perlin", "random_max"))
    expected = generate_test_image((32, 32), mode="random_max", seed=1)  # max_k = 9
    np.testing.assert_array_equal(image[1], expected)


def test_every_mode_is_checked_first():
    with pytest.raises(ValueError, match="^Unknown mode: dapi$"):
        generate_multichannel_image((2, 8, 8), channel_modes=["perlin", "dapi"])


def test_multichannel_is_deterministic_and_seed_none_is_random():
    a = generate_multichannel_image((2, 32, 32), seed=9)
    np.testing.assert_array_equal(a, generate_multichannel_image((2, 32, 32), seed=9))
    b = generate_multichannel_image((2, 32, 32), seed=None)
    c = generate_multichannel_image((2, 32, 32), seed=None)
    assert not np.array_equal(b, c)
    assert b.min() >= 0.0 and b.max() <= 1.0
