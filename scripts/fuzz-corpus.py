#!/usr/bin/python3
# Writes the seed corpus of the fuzz targets (fuzz/README.md) from small valid files:
# <out>/<target>/<seed> for tiff, zarr, npy, plugin_json and cli. Default <out>:
# build-asan/corpus. Not committed: scripts/test-fuzz.sh runs this before fuzzing.
#
# Debian's Python (/usr/bin/python3) with python3-numpy, python3-tifffile, python3-zarr and
# python3-numcodecs (scripts/setup.sh installs them); compressed TIFFs are made with tiffcp
# (libtiff-tools), since tifffile needs imagecodecs to compress.
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numcodecs
import numpy as np
import tifffile
import zarr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = np.random.default_rng(7)


def image(shape, dtype):
    """Smooth-ish content that compresses like a real image, of any dtype."""
    dtype = np.dtype(dtype)
    ramp = np.add.outer(np.arange(shape[-2]), np.arange(shape[-1])) % 97
    data = np.broadcast_to(ramp, shape) + rng.integers(0, 3, shape)
    return data.astype(dtype)


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def tiff_seeds(out, scratch):
    """Layouts and dtypes TiffSource reads, then each compression tiffcp writes."""
    plain = {
        "u8-tiled.tif": (image((48, 64), "u1"), dict(tile=(16, 16))),
        "u8-rgb-strips.tif": (image((40, 24, 3), "u1"), dict(rowsperstrip=8, photometric="rgb")),
        "u8-rgba.tif": (image((16, 16, 4), "u1"), dict(photometric="rgb", extrasamples=[2])),
        "u16-planar-tiled.tif": (
            image((3, 32, 32), "u2"),
            dict(tile=(16, 16), planarconfig="separate", photometric="minisblack"),
        ),
        "u16-planar-strips.tif": (
            image((2, 20, 20), "u2"),
            dict(rowsperstrip=5, planarconfig="separate", photometric="minisblack"),
        ),
        "i8.tif": (image((16, 16), "i1"), {}),
        "i16-bigendian.tif": (image((16, 24), "i2"), dict(byteorder=">", tile=(16, 16))),
        "u32.tif": (image((12, 12), "u4"), {}),
        "f32-tiled.tif": (image((32, 32), "f4"), dict(tile=(16, 16))),
        "f32-strips.tif": (image((24, 16), "f4"), dict(rowsperstrip=4)),
    }
    for name, (data, options) in plain.items():
        tifffile.imwrite(os.path.join(out, name), data, **options)

    # Pyramids: SubIFDs (as tifffile and bfconvert write them) and reduced-resolution pages.
    base = image((64, 64), "u1")
    with tifffile.TiffWriter(os.path.join(out, "pyramid-subifds.tif")) as tif:
        tif.write(base, tile=(16, 16), subifds=2)
        tif.write(base[::2, ::2], tile=(16, 16), subfiletype=1)
        tif.write(base[::4, ::4], tile=(16, 16), subfiletype=1)
    with tifffile.TiffWriter(os.path.join(out, "pyramid-pages.tif")) as tif:
        tif.write(base, tile=(16, 16))
        tif.write(base[::2, ::2], tile=(16, 16), subfiletype=1)
    # Pages as channels, and an OME-TIFF of named channels with a pixel size.
    with tifffile.TiffWriter(os.path.join(out, "pages-as-channels.tif")) as tif:
        for c in range(3):
            tif.write(image((24, 24), "u2") + c, tile=(16, 16))
    tifffile.imwrite(
        os.path.join(out, "ome-cyx.ome.tif"),
        image((2, 32, 32), "u2"),
        ome=True,
        tile=(16, 16),
        metadata={"axes": "CYX", "Channel": {"Name": ["DAPI", "CD3"]}, "PhysicalSizeX": 0.5},
    )
    tifffile.imwrite(
        os.path.join(out, "ome-zcyx.ome.tif"),
        image((2, 2, 16, 16), "u1"),
        ome=True,
        metadata={"axes": "ZCYX"},
    )

    compressions = {
        "lzw": ["-c", "lzw:2"],
        "deflate": ["-c", "zip:2"],
        "zstd": ["-c", "zstd"],
        "packbits": ["-c", "packbits"],
    }
    sources = ["u8-tiled.tif", "u16-planar-strips.tif", "f32-tiled.tif", "pyramid-pages.tif"]
    for source in sources:
        for codec, args in compressions.items():
            target = os.path.join(out, source.replace(".tif", f"-{codec}.tif"))
            subprocess.run(["tiffcp", *args, os.path.join(out, source), target], check=True)
    # JPEG: 8-bit only, as YCbCr (libtiff converts to RGB) and as RGB, tiled and stripped.
    rgb = os.path.join(scratch, "rgb.tif")
    tifffile.imwrite(rgb, image((32, 32, 3), "u1"), photometric="rgb", tile=(16, 16))
    subprocess.run(["tiffcp", "-c", "jpeg", rgb, os.path.join(out, "rgb-jpeg-ycbcr.tif")], check=True)
    subprocess.run(["tiffcp", "-c", "jpeg:r", rgb, os.path.join(out, "rgb-jpeg.tif")], check=True)
    subprocess.run(
        ["tiffcp", "-c", "jpeg", "-s", "-r", "16", rgb, os.path.join(out, "rgb-jpeg-strips.tif")],
        check=True,
    )
    subprocess.run(
        ["tiffcp", "-c", "jpeg", os.path.join(out, "u8-tiled.tif"), os.path.join(out, "u8-jpeg.tif")],
        check=True,
    )


def zarr_seeds(out, scratch):
    """Each seed: the .zarray text, a NUL byte, then the bytes of the array's first chunk."""
    compressors = {
        "raw": None,
        "zlib": numcodecs.Zlib(level=1),
        "gzip": numcodecs.GZip(level=1),
        "zstd": numcodecs.Zstd(level=1),
        "blosc-lz4": numcodecs.Blosc(cname="lz4", shuffle=numcodecs.Blosc.SHUFFLE),
        "blosc-zstd": numcodecs.Blosc(cname="zstd", shuffle=numcodecs.Blosc.BITSHUFFLE),
    }
    arrays = {
        "u1-yx": ((40, 30), (16, 16), "u1", {}),
        "u2-cyx": ((2, 20, 20), (1, 16, 16), "u2", {}),
        "i2-yx": ((16, 16), (16, 16), "i2", {"fill_value": -1}),
        "i1-yx": ((8, 8), (8, 8), "i1", {}),
        "u4-yx": ((8, 12), (8, 8), "u4", {}),
        "f4-tczyx": ((1, 2, 1, 16, 16), (1, 1, 1, 16, 16), "f4", {"fill_value": float("nan")}),
        "u1-slash": ((16, 16), (8, 8), "u1", {"dimension_separator": "/"}),
        "u2-bigendian": ((8, 8), (8, 8), ">u2", {}),
    }
    for array_name, (shape, chunks, dtype, options) in arrays.items():
        for codec_name, compressor in compressors.items():
            folder = os.path.join(scratch, f"{array_name}-{codec_name}.zarr")
            z = zarr.open_array(
                folder, mode="w", shape=shape, chunks=chunks, dtype=dtype,
                compressor=compressor, **options,
            )
            z[...] = image(shape, dtype)
            with open(os.path.join(folder, ".zarray"), "rb") as f:
                zarray = f.read()
            separator = options.get("dimension_separator", ".")
            first = separator.join("0" * len(shape))
            with open(os.path.join(folder, first), "rb") as f:
                chunk = f.read()
            write(out, f"{array_name}-{codec_name}", zarray + b"\0" + chunk)


def npy_seeds(out):
    """Each dtype NpySource reads, 2-D and 3-D, each .npy version, and some it refuses."""
    def save(name, array, version=None):
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, array, version=version)
        write(out, name, buffer.getvalue())

    for dtype in ["u1", "i1", "u2", "i2", "u4", "f4"]:
        save(f"{dtype}-hw.npy", image((6, 5), dtype))
        save(f"{dtype}-chw.npy", image((2, 4, 3), dtype))
    save("u2-v2.npy", image((4, 4), "u2"), version=(2, 0))
    save("u1-v3.npy", image((4, 4), "u1"), version=(3, 0))
    save("u2-bigendian.npy", image((4, 4), ">u2"))
    save("f8.npy", image((4, 4), "f8"))
    save("fortran.npy", np.asfortranarray(image((4, 3), "u1")))
    save("1d.npy", np.arange(5, dtype="u1"))


def plugin_json_seeds(out):
    """Module JSON files as they are committed, and QPluginLoader::metaData() documents."""
    shutil.copy(os.path.join(ROOT, "examples/external_operation_plugin/invert_plugin.json"), out)
    with open(os.path.join(ROOT, "plugin/builtin/builtin_operations.json.in")) as f:
        write(out, "builtin_operations.json", f.read().replace("@PROJECT_VERSION@", "0.1.0").encode())
    meta = {"name": "invert-example", "version": "1.0", "description": "Inverts"}
    documents = {
        "loader-operation.json": {"IID": "org.tileflow.OperationPlugin/1.0", "MetaData": meta},
        "loader-extension.json": {"IID": "org.tileflow.HostExtension/1.0", "MetaData": meta},
        "loader-newer-minor.json": {"IID": "org.tileflow.OperationPlugin/1.7", "MetaData": meta},
        "loader-unknown.json": {"IID": "org.tileflow.Other/2.0", "MetaData": {"name": 3}},
        "loader-no-metadata.json": {"IID": "org.tileflow.OperationPlugin/1.0"},
    }
    for name, document in documents.items():
        write(out, name, json.dumps(document).encode())
    write(out, "iid.txt", b"org.tileflow.OperationPlugin/1.0")


def cli_seeds(out):
    """Argument lists of `tileflow process` and `tileflow bench`, NUL-separated."""
    lists = {
        "process-minimal": ["in.tif", "out.tif"],
        "process-all": [
            "in.ome.tif", "out.zarr", "--op", "gaussian", "--param", "sigma=2", "--level", "1",
            "--region", "0,16,512,256", "--channels", "0,2", "--compression", "zstd",
            "--out-tile", "256", "--out-dtype", "u8", "--out-range", "0,4095", "--tile",
            "512x256", "--overlap", "16", "--mode", "blend", "--threads", "2", "--chunk", "1024",
            "--max-memory", "512M", "--quiet",
        ],
        "bench": ["--size", "2048", "--channels", "4", "--dtype", "u16", "--op", "sobel",
                  "--repeat", "1", "--json", "--stream"],
        "bench-io": ["--io", "--compression", "deflate", "--dir", "/tmp/x", "--max-memory", "4G"],
        "values": ["1,2,3,4", "64x32", "1.5,2e3", "-1,1", "0,1,65535", "1T", "1048576"],
    }
    for name, args in lists.items():
        write(out, name, "\0".join(args).encode())


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-asan/corpus"))
    shutil.rmtree(out, ignore_errors=True)
    folders = {t: os.path.join(out, t) for t in ["tiff", "zarr", "npy", "plugin_json", "cli"]}
    for folder in folders.values():
        os.makedirs(folder)
    with tempfile.TemporaryDirectory() as scratch:
        tiff_seeds(folders["tiff"], scratch)
        zarr_seeds(folders["zarr"], scratch)
    npy_seeds(folders["npy"])
    plugin_json_seeds(folders["plugin_json"])
    cli_seeds(folders["cli"])
    for target, folder in folders.items():
        files = os.listdir(folder)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in files)
        print(f"{target}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    main()
