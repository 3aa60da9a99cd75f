"""Unit tests of tileflow.utils: the original's validation messages and our memory estimate.

"""

import warnings

import numpy as np
import pytest

from tileflow.utils import estimate_memory_usage, validate_overlap, validate_tile_size

MIB = 2**20


def _raises_exactly(message, function, *args, **kwargs):
    """Call ``function`` and check that it raises ValueError with exactly ``message``."""
    with pytest.raises(ValueError) as caught:
        function(*args, **kwargs)
    assert str(caught.value) == message


# --- validate_tile_size -----------------------------------------------------------------


@pytest.mark.parametrize(
    "size", [(256, 128), [256, 128], (np.int64(256), np.int32(128)), (np.uint16(256), 128)]
)
def test_tile_size_is_returned_as_plain_ints(size):
    result = validate_tile_size(size)
    assert result == (256, 128)
    assert type(result) is tuple
    assert all(type(v) is int for v in result)


def test_bool_entries_are_accepted_like_the_original():
    with pytest.warns(UserWarning):
        assert validate_tile_size((True, 64)) == (1, 64)


@pytest.mark.parametrize("size", [(64,), (64, 64, 64), 64, "ab", None, np.array([64, 64])])
def test_malformed_size_message(size):
    _raises_exactly("tile_size must be a tuple of 2 integers", validate_tile_size, size)


@pytest.mark.parametrize("size", [(64.0, 64), (64, "64"), (np.float32(64), 64), (None, 64)])
def test_non_integer_entries_message(size):
    _raises_exactly("tile_size must contain integers", validate_tile_size, size)


def test_negative_and_zero_messages():
    _raises_exactly("tile_size must be non-negative, got (-1, 64)", validate_tile_size, (-1, 64))
    _raises_exactly("tile_size must be positive, got (64, 0)", validate_tile_size, (64, 0))


def test_name_appears_in_the_messages():
    _raises_exactly(
        "chunk_size must be a tuple of 2 integers", validate_tile_size, [1], name="chunk_size"
    )
    _raises_exactly(
        "chunk_size must be positive, got [0, 512]", validate_tile_size, [0, 512], name="chunk_size"
    )


def test_tile_larger_than_the_image_uses_the_last_two_axes():
    assert validate_tile_size((256, 512), (3, 256, 512)) == (256, 512)
    _raises_exactly(
        "Tile height 300 cannot exceed image height 256", validate_tile_size, (300, 64), (256, 256)
    )
    _raises_exactly(
        "Tile width 300 cannot exceed image width 256",
        validate_tile_size,
        (64, 300),
        (5, 1000, 256),
    )


def test_a_str_in_second_place_is_the_name():
    _raises_exactly("chunk_size must contain integers", validate_tile_size, (1.0, 2), "chunk_size")
    assert validate_tile_size((64, 64), "chunk_size") == (64, 64)


def test_image_shape_must_be_a_shape():
    with pytest.raises(TypeError):
        validate_tile_size((64, 64), 256)


def test_small_tiles_warn_with_the_original_message():
    with pytest.warns(UserWarning, match=r"^Very small tile size \(16, 64\) may impact perf"):
        validate_tile_size((16, 64))


def test_tiles_of_32_and_more_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_tile_size((32, 32), (32, 32)) == (32, 32)


# --- validate_overlap -------------------------------------------------------------------


def test_overlap_below_half_a_tile_is_returned_as_plain_ints():
    assert validate_overlap((0, 0), (64, 64)) == (0, 0)
    result = validate_overlap((np.int64(31), 15), [64, 32])
    assert result == (31, 15)
    assert all(type(v) is int for v in result)


def test_overlap_of_half_a_tile_is_rejected_exactly_as_before():
    _raises_exactly(
        "Overlap height 32 must be less than half tile height 32",
        validate_overlap,
        (32, 8),
        (64, 64),
    )
    _raises_exactly(
        "Overlap width 40 must be less than half tile width 32",
        validate_overlap,
        (8, 40),
        (64, 64),
    )


def test_a_one_pixel_tile_admits_no_overlap_at_all():
    _raises_exactly(
        "Overlap height 0 must be less than half tile height 0", validate_overlap, (0, 0), (1, 1)
    )


def test_overlap_form_errors_use_the_name():
    _raises_exactly(
        "overlap must be non-negative, got (-1, 8)", validate_overlap, (-1, 8), (64, 64)
    )
    _raises_exactly(
        "chunk_overlap must contain integers", validate_overlap, (1.5, 8), (64, 64), "chunk_overlap"
    )
    _raises_exactly("tile_size must be positive, got (0, 64)", validate_overlap, (0, 0), (0, 64))


# --- estimate_memory_usage --------------------------------------------------------------


@pytest.mark.parametrize(
    "width, tiles",
    # The original's probed grid (tile 256, overlap 16): remainders above 128 get a tile.
    [(1024, 4), (1000, 4), (1100, 4), (1152, 4), (1153, 5), (256, 1), (384, 1), (385, 2)],
)
def test_tile_count_follows_the_grid_rule(width, tiles):
    result = estimate_memory_usage((256, width), (256, 256), (16, 16))
    assert result["total_tiles"] == tiles
    tall = estimate_memory_usage((width, width), (256, 256), (16, 16))
    assert tall["total_tiles"] == tiles * tiles


def test_an_image_smaller_than_half_a_tile_still_has_one_tile():
    assert estimate_memory_usage((100, 60), (256, 256), (16, 16))["total_tiles"] == 1


def test_direct_mode_holds_input_and_output():
    result = estimate_memory_usage((1024, 2048), (256, 256), (16, 16))
    assert result == {
        "original_image_mb": 8.0,
        "peak_memory_mb": 16.0,
        "total_tiles": 32,
        "processing_mode": "direct",
    }


def test_dtype_scales_the_bytes():
    f64 = estimate_memory_usage((1024, 1024), (128, 128), (0, 0), dtype=np.float64)
    u16 = estimate_memory_usage((1024, 1024), (128, 128), (0, 0), dtype="uint16")
    assert f64["original_image_mb"] == 8.0
    assert u16["original_image_mb"] == 2.0
    assert u16["peak_memory_mb"] == 4.0


def test_leading_axes_multiply_bytes_but_not_tiles():
    result = estimate_memory_usage((2, 3, 1024, 1024), (256, 256), (16, 16), dtype=np.uint8)
    assert result["original_image_mb"] == 6.0
    assert result["peak_memory_mb"] == 12.0
    assert result["total_tiles"] == 16


def test_chunk_mode_tiles_each_chunk_halo():
    # Width 1000 in chunks of 512 (overlap 16): cores 512 and 488, halos 528 and 504,
    # each holding 2 tiles of 256 -> 4 per axis, 16 in all.
    result = estimate_memory_usage((1000, 1000), (256, 256), (16, 16), chunk_size=(512, 512))
    assert result["processing_mode"] == "chunked"
    assert result["total_tiles"] == 16
    assert result["original_image_mb"] == 1000 * 1000 * 4 / MIB
    # One input buffer for the largest halo, one output buffer for the largest core.
    assert result["peak_memory_mb"] == (528 * 528 + 512 * 512) * 4 / MIB


def test_chunk_overlap_changes_the_halos():
    # Chunks of 384 on 768: with an overlap of 16 each halo is 400 (> 384 = 1.5 tiles, so
    # 2 tiles of 256); without overlap each chunk is a single tile.
    args = ((768, 768), (256, 256), (16, 16))
    assert estimate_memory_usage(*args, chunk_size=(384, 384))["total_tiles"] == 16
    unpadded = estimate_memory_usage(*args, chunk_size=(384, 384), chunk_overlap=(0, 0))
    assert unpadded["total_tiles"] == 4
    assert unpadded["peak_memory_mb"] == 2 * 384 * 384 * 4 / MIB


def test_chunk_mode_is_far_below_the_direct_peak_for_large_images():
    shape, tile = (3, 8192, 8192), (256, 256)
    direct = estimate_memory_usage(shape, tile, (16, 16), dtype=np.uint16)
    chunked = estimate_memory_usage(shape, tile, (16, 16), dtype=np.uint16, chunk_size=(2048, 2048))
    assert chunked["peak_memory_mb"] == 3 * (2080 * 2080 + 2048 * 2048) * 2 / MIB
    assert chunked["peak_memory_mb"] < direct["peak_memory_mb"] / 10


def test_estimate_rejects_bad_arguments():
    image, tile = (1024, 1024), (256, 256)
    _raises_exactly(
        "image_shape must have at least 2 axes, got (1024,)",
        estimate_memory_usage,
        (1024,),
        tile,
        (16, 16),
    )
    _raises_exactly(
        "chunk_size must be positive, got (0, 512)",
        estimate_memory_usage,
        image,
        tile,
        (16, 16),
        chunk_size=(0, 512),
    )
    _raises_exactly(
        "overlap must be non-negative, got (-16, 16)", estimate_memory_usage, image, tile, (-16, 16)
    )
