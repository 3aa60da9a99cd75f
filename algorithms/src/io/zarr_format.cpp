#include "zarr_format.hpp"

#include <blosc.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>

#include "tileflow/error.hpp"

namespace tileflow::detail {

namespace {

constexpr std::int64_t kMaxMetadataBytes = std::int64_t{64} << 20;

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw IoError("cannot read zarr store " + where + ": " + what);
}

std::int64_t integerOf(const Json& value, const std::string& where, const std::string& what) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            fail(where, what + " " + std::to_string(v) + " is too large");
        return static_cast<std::int64_t>(v);
    }
    if (value.is_number_integer())
        return value.get<std::int64_t>();
    fail(where, what + " must be an integer, not " + value.dump());
}

std::vector<std::int64_t> dimsOf(const Json& doc, const char* key, const std::string& where) {
    if (!doc.contains(key) || !doc[key].is_array())
        fail(where, std::string("'") + key + "' must be a list of integers");
    std::vector<std::int64_t> dims;
    for (const Json& v : doc[key]) {
        const std::int64_t d = integerOf(v, where, std::string("'") + key + "' entry");
        if (d <= 0)
            fail(where, std::string("'") + key + "' entry " + std::to_string(d) +
                            " must be positive (the array has no pixels)");
        dims.push_back(d);
    }
    return dims;
}

DType dtypeOfCode(const std::string& code, const std::string& where) {
    static const std::pair<const char*, DType> known[] = {
        {"|u1", DType::U8},  {"<u1", DType::U8},  {"|i1", DType::I8},  {"<i1", DType::I8},
        {"<u2", DType::U16}, {"<i2", DType::I16}, {"<u4", DType::U32}, {"<f4", DType::F32}};
    for (const auto& [name, type] : known) {
        if (code == name)
            return type;
    }
    if (!code.empty() && code[0] == '>')
        fail(where, "dtype '" + code + "' is big-endian; only little-endian arrays are supported");
    fail(where, "dtype '" + code + "' is not supported (|u1, |i1, <u2, <i2, <u4 and <f4 are)");
}

template <typename T>
void storeSample(std::vector<std::byte>& out, T value) {
    out.resize(sizeof(T));
    std::memcpy(out.data(), &value, sizeof(T));
}

template <typename T>
void storeInteger(std::vector<std::byte>& out, const Json& value, const std::string& where) {
    const bool integral =
        value.is_number_integer() || value.is_number_unsigned() ||
        (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
    if (!integral)
        fail(where, "fill_value " + value.dump() + " is not an integer");
    const double v = value.get<double>();
    if (v < double(std::numeric_limits<T>::lowest()) || v > double(std::numeric_limits<T>::max()))
        fail(where, "fill_value " + value.dump() + " is outside the range of the dtype");
    storeSample(out, static_cast<T>(v));
}

std::vector<std::byte> fillOf(const Json& value, DType dtype, const std::string& where) {
    std::vector<std::byte> out;
    if (value.is_null()) {
        out.assign(bytesPerSample(dtype), std::byte{0});
        return out;
    }
    switch (dtype) {
        case DType::U8:
            storeInteger<std::uint8_t>(out, value, where);
            break;
        case DType::I8:
            storeInteger<std::int8_t>(out, value, where);
            break;
        case DType::U16:
            storeInteger<std::uint16_t>(out, value, where);
            break;
        case DType::I16:
            storeInteger<std::int16_t>(out, value, where);
            break;
        case DType::U32:
            storeInteger<std::uint32_t>(out, value, where);
            break;
        case DType::F32: {
            float f = 0;
            if (value.is_number())
                f = value.get<float>();
            else if (value == "NaN")
                f = std::numeric_limits<float>::quiet_NaN();
            else if (value == "Infinity")
                f = std::numeric_limits<float>::infinity();
            else if (value == "-Infinity")
                f = -std::numeric_limits<float>::infinity();
            else
                fail(where, "fill_value " + value.dump() + " is not a number");
            storeSample(out, f);
            break;
        }
    }
    return out;
}

int intField(const Json& doc, const char* key, int fallback, const std::string& where) {
    if (!doc.contains(key) || doc[key].is_null())
        return fallback;
    const std::int64_t v = integerOf(doc[key], where, std::string("compressor '") + key + "'");
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
        fail(where, std::string("compressor '") + key + "' is out of range");
    return static_cast<int>(v);
}

ZarrCodec codecOf(const Json& doc, const std::string& where) {
    ZarrCodec codec;
    if (doc.is_null())
        return codec;
    if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string())
        fail(where, "'compressor' must be null or an object with an 'id'");
    const std::string id = doc["id"].get<std::string>();
    if (id == "zlib") {
        codec.kind = ZarrCodecKind::Zlib;
    } else if (id == "gzip") {
        codec.kind = ZarrCodecKind::Gzip;
    } else if (id == "zstd") {
        codec.kind = ZarrCodecKind::Zstd;
    } else if (id == "blosc") {
        codec.kind = ZarrCodecKind::Blosc;
        codec.bloscName = doc.value("cname", std::string("lz4"));
        codec.bloscShuffle = intField(doc, "shuffle", 1, where);
        codec.level = intField(doc, "clevel", 5, where);
        return codec;
    } else {
        fail(where,
             "compressor '" + id + "' is not supported (null, zlib, gzip, zstd and blosc are)");
    }
    codec.level = intField(doc, "level", 1, where);
    return codec;
}

}  // namespace

std::int64_t ZarrArray::chunkElements() const {
    std::int64_t n = 1;
    for (std::int64_t c : chunks)
        n *= c;
    return n;
}

bool readMetadataFile(const std::string& path, const std::string& store, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            return false;
        fail(store, "cannot open '" + path + "'");
    }
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0)
        fail(store, "cannot read '" + path + "'");
    if (size > kMaxMetadataBytes)
        fail(store, "'" + path + "' is larger than the 64 MiB allowed for metadata");
    in.seekg(0);
    text.assign(static_cast<std::size_t>(size), '\0');
    if (!in.read(text.data(), size))
        fail(store, "cannot read '" + path + "'");
    return true;
}

std::string jsonProblem(const nlohmann::json::exception& error) {
    const std::string_view text = error.what();
    const std::size_t end = text.starts_with("[json.exception.") ? text.find("] ") : text.npos;
    return std::string(end == text.npos ? text : text.substr(end + 2));
}

ZarrArray parseZarray(const std::string& text, const std::string& where,
                      const ResourceLimits& limits) {
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Json::exception& e) {
        fail(where, ".zarray is not valid JSON (" + jsonProblem(e) + ")");
    }
    if (!doc.is_object())
        fail(where, ".zarray is not a JSON object");
    try {
        if (!doc.contains("zarr_format") || doc["zarr_format"] != 2)
            fail(where, "only zarr_format 2 is supported");
        ZarrArray a;
        a.shape = dimsOf(doc, "shape", where);
        a.chunks = dimsOf(doc, "chunks", where);
        if (a.shape.size() < 2 || a.shape.size() > 5)
            fail(where, "the array has " + std::to_string(a.shape.size()) +
                            " dimensions; images need 2 to 5");
        if (a.chunks.size() != a.shape.size())
            fail(where, "'chunks' and 'shape' have different lengths");
        if (!doc.contains("dtype") || !doc["dtype"].is_string())
            fail(where, "'dtype' must be a string such as \"<u2\"");
        a.dtype = dtypeOfCode(doc["dtype"].get<std::string>(), where);
        const auto sample = static_cast<std::int64_t>(bytesPerSample(a.dtype));

        std::int64_t total = sample;
        std::int64_t chunk = sample;
        for (std::size_t i = 0; i < a.shape.size(); ++i) {
            if (__builtin_mul_overflow(total, a.shape[i], &total) || total > kZarrMaxArrayBytes)
                fail(where, "the shape claims more than the 1 PiB an image may have");
            if (__builtin_mul_overflow(chunk, a.chunks[i], &chunk))
                chunk = std::numeric_limits<std::int64_t>::max();
        }
        limits.checkTile(
            "cannot read zarr store " + where + ": a chunk of " + doc["chunks"].dump() + " samples",
            "chunk", chunk);

        if (doc.value("order", std::string("C")) != "C")
            fail(where,
                 "only C-ordered arrays are supported (order is " + doc["order"].dump() + ")");
        if (doc.contains("filters") && !doc["filters"].is_null() &&
            !(doc["filters"].is_array() && doc["filters"].empty()))
            fail(where, "filters are not supported (filters is " + doc["filters"].dump() + ")");
        a.codec = codecOf(doc.value("compressor", Json()), where);
        a.fill = fillOf(doc.value("fill_value", Json()), a.dtype, where);
        const std::string separator = doc.value("dimension_separator", std::string("."));
        if (separator != "." && separator != "/")
            fail(where, "dimension_separator must be \".\" or \"/\"");
        a.separator = separator[0];
        return a;
    } catch (const Json::exception& e) {
        fail(where, "malformed .zarray (" + jsonProblem(e) + ")");
    }
}

ZarrArray readZarray(const std::string& arrayDir, const std::string& store,
                     const ResourceLimits& limits) {
    std::string text;
    const std::string file = arrayDir + "/.zarray";
    if (!readMetadataFile(file, store, text))
        fail(store, "'" + file + "' does not exist");
    return parseZarray(text, store + " (" + file + ")", limits);
}

std::string zarrDTypeCode(DType dtype) {
    switch (dtype) {
        case DType::U8:
            return "|u1";
        case DType::I8:
            return "|i1";
        case DType::U16:
            return "<u2";
        case DType::I16:
            return "<i2";
        case DType::U32:
            return "<u4";
        case DType::F32:
            break;
    }
    return "<f4";
}

nlohmann::json codecJson(const ZarrCodec& codec) {
    switch (codec.kind) {
        case ZarrCodecKind::None:
            return nullptr;
        case ZarrCodecKind::Zlib:
            return {{"id", "zlib"}, {"level", codec.level}};
        case ZarrCodecKind::Gzip:
            return {{"id", "gzip"}, {"level", codec.level}};
        case ZarrCodecKind::Zstd:
            return {{"id", "zstd"}, {"level", codec.level}};
        case ZarrCodecKind::Blosc:
            break;
    }
    return {{"id", "blosc"},
            {"cname", codec.bloscName},
            {"clevel", codec.level},
            {"shuffle", codec.bloscShuffle},
            {"blocksize", 0}};
}

nlohmann::json zarrayJson(const ZarrArray& array) {
    Json fill;
    if (array.dtype == DType::F32) {
        float f = 0;
        std::memcpy(&f, array.fill.data(), sizeof f);
        fill = f;
    } else {
        fill = 0;
    }
    return {{"zarr_format", 2},
            {"shape", array.shape},
            {"chunks", array.chunks},
            {"dtype", zarrDTypeCode(array.dtype)},
            {"order", "C"},
            {"fill_value", fill},
            {"filters", nullptr},
            {"compressor", codecJson(array.codec)},
            {"dimension_separator", std::string(1, array.separator)}};
}

std::vector<std::byte> decodeChunk(const ZarrArray& array, const std::vector<std::byte>& stored,
                                   const std::string& where) {
    const auto expected = static_cast<std::size_t>(array.chunkBytes());
    const auto corrupt = [&](const std::string& what) { fail(where, "corrupt chunk: " + what); };
    std::vector<std::byte> out;
    switch (array.codec.kind) {
        case ZarrCodecKind::None:
            if (stored.size() != expected)
                corrupt("it holds " + std::to_string(stored.size()) + " bytes, not " +
                        std::to_string(expected));
            return stored;
        case ZarrCodecKind::Zlib:
        case ZarrCodecKind::Gzip: {
            out.resize(expected);
            z_stream z{};
            // 15 + 32: accept both zlib and gzip headers.
            if (inflateInit2(&z, 15 + 32) != Z_OK)
                fail(where, "cannot initialise zlib");
            z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(stored.data()));
            z.avail_in = static_cast<uInt>(stored.size());
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            const int rc = inflate(&z, Z_FINISH);
            const std::size_t produced = z.total_out;
            const std::string message = z.msg != nullptr ? z.msg : "";
            inflateEnd(&z);
            if (rc != Z_STREAM_END) {
                if (rc == Z_BUF_ERROR && z.avail_out == 0)
                    corrupt("it decompresses to more than " + std::to_string(expected) + " bytes");
                corrupt("zlib: " + (message.empty() ? "truncated or invalid data" : message));
            }
            if (produced != expected)
                corrupt("it decompresses to " + std::to_string(produced) + " bytes, not " +
                        std::to_string(expected));
            return out;
        }
        case ZarrCodecKind::Zstd: {
            out.resize(expected);
            const std::size_t n =
                ZSTD_decompress(out.data(), out.size(), stored.data(), stored.size());
            if (ZSTD_isError(n))
                corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
            if (n != expected)
                corrupt("it decompresses to " + std::to_string(n) + " bytes, not " +
                        std::to_string(expected));
            return out;
        }
        case ZarrCodecKind::Blosc:
            break;
    }
    std::size_t nbytes = 0;
    if (stored.size() < BLOSC_MIN_HEADER_LENGTH ||
        blosc_cbuffer_validate(stored.data(), stored.size(), &nbytes) != 0)
        corrupt("not a valid blosc buffer");
    if (nbytes != expected)
        corrupt("blosc says it holds " + std::to_string(nbytes) + " bytes, not " +
                std::to_string(expected));
    out.resize(expected);
    const int n = blosc_decompress_ctx(stored.data(), out.data(), out.size(), 1);
    if (n < 0 || static_cast<std::size_t>(n) != expected)
        corrupt("blosc could not decompress it (code " + std::to_string(n) + ")");
    return out;
}

std::vector<std::byte> encodeChunk(const ZarrCodec& codec, DType dtype, const std::byte* data,
                                   std::size_t size) {
    std::vector<std::byte> out;
    switch (codec.kind) {
        case ZarrCodecKind::None:
            out.assign(data, data + size);
            return out;
        case ZarrCodecKind::Zlib:
        case ZarrCodecKind::Gzip: {
            z_stream z{};
            const int window = codec.kind == ZarrCodecKind::Gzip ? 15 + 16 : 15;
            if (deflateInit2(&z, codec.level, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                throw IoError("cannot initialise zlib compression");
            out.resize(deflateBound(&z, static_cast<uLong>(size)));
            z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(data));
            z.avail_in = static_cast<uInt>(size);
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            const int rc = deflate(&z, Z_FINISH);
            out.resize(z.total_out);
            deflateEnd(&z);
            if (rc != Z_STREAM_END)
                throw IoError("zlib compression failed");
            return out;
        }
        case ZarrCodecKind::Zstd: {
            out.resize(ZSTD_compressBound(size));
            const std::size_t n = ZSTD_compress(out.data(), out.size(), data, size, codec.level);
            if (ZSTD_isError(n))
                throw IoError(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
            out.resize(n);
            return out;
        }
        case ZarrCodecKind::Blosc:
            break;
    }
    out.resize(size + BLOSC_MAX_OVERHEAD);
    const int n = blosc_compress_ctx(codec.level, codec.bloscShuffle, bytesPerSample(dtype), size,
                                     data, out.data(), out.size(), codec.bloscName.c_str(), 0, 1);
    if (n <= 0)
        throw IoError("blosc compression with '" + codec.bloscName + "' failed");
    out.resize(static_cast<std::size_t>(n));
    return out;
}

}  // namespace tileflow::detail
