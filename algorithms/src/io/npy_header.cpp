#include "npy_header.hpp"

#include <bit>
#include <string_view>
#include <utility>
#include <vector>

#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

namespace tileflow::detail {

static_assert(std::endian::native == std::endian::little,
              "the .npy reader and writer assume a little-endian host");

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kAlignment = 64;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw IoError("cannot read NumPy file '" + path + "': " + what);
}

std::uint32_t littleEndian(std::span<const char> bytes) {
    std::uint32_t value = 0;
    for (std::size_t i = bytes.size(); i-- > 0;) {
        value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    }
    return value;
}

// 'text' in single quotes.
std::string quoted(std::string_view text) {
    std::string out(1, '\'');
    out.append(text);
    out += '\'';
    return out;
}

struct DTypeEntry {
    std::string_view code;  // kind and item size, e.g. "u2"
    DType dtype;
};
constexpr DTypeEntry kDTypes[] = {{"u1", DType::U8},  {"i1", DType::I8},  {"u2", DType::U16},
                                  {"i2", DType::I16}, {"u4", DType::U32}, {"f4", DType::F32}};

std::string_view descrCode(DType dtype) {
    for (const DTypeEntry& e : kDTypes) {
        if (e.dtype == dtype)
            return e.code;
    }
    return "f4";
}

DType parseDescr(std::string_view descr, const std::string& path) {
    const std::string name = quoted(descr);
    const std::string supported =
        "supported dtypes are <u1 |u1 <i1 |i1 <u2 <i2 <u4 <f4 (little-endian, not structured)";
    if (descr.size() < 3)
        fail(path, "dtype " + name + " is malformed; " + supported);
    const char order = descr.front();
    const std::string_view code = descr.substr(1);
    if (order != '<' && order != '>' && order != '|' && order != '=') {
        fail(path, "dtype " + name + " has no byte-order mark (<, >, | or =); " + supported);
    }
    for (const DTypeEntry& e : kDTypes) {
        if (e.code != code)
            continue;
        const bool singleByte = bytesPerSample(e.dtype) == 1;
        if (singleByte)
            return e.dtype;
        if (order == '>') {
            fail(path, "dtype " + name +
                           " is big-endian, which is not supported; save a little-endian array "
                           "(numpy: a.astype('<" +
                           std::string(code) + "'))");
        }
        if (order == '|')
            fail(path, "dtype " + name + " lacks a byte order for a multi-byte type");
        return e.dtype;
    }
    fail(path, "dtype " + name + " is not supported; " + supported);
}

// A recursive-descent reader for the Python literal numpy writes as the header:
//   {'descr': '<u2', 'fortran_order': False, 'shape': (3, 512, 512), }
class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

    struct Fields {
        std::string descr;
        bool fortranOrder = false;
        std::vector<std::int64_t> shape;
    };

    Fields parse() {
        Fields fields;
        bool haveDescr = false;
        bool haveOrder = false;
        bool haveShape = false;
        skipSpace();
        expect('{', "the header must be a dictionary starting with '{'");
        skipSpace();
        while (peek() != '}') {
            const std::string key = readString("a quoted key");
            skipSpace();
            expect(':', "expected ':' after key '" + key + "'");
            skipSpace();
            if (key == "descr") {
                once(haveDescr, key);
                if (peek() == '[') {
                    error("dtype is structured (a list of fields), which is not supported");
                }
                fields.descr = readString("a quoted dtype string for 'descr'");
            } else if (key == "fortran_order") {
                once(haveOrder, key);
                fields.fortranOrder = readBool();
            } else if (key == "shape") {
                once(haveShape, key);
                fields.shape = readTuple();
            } else {
                error("unexpected key '" + key + "' (expected descr, fortran_order, shape)");
            }
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                skipSpace();
            } else if (peek() != '}') {
                error("expected ',' or '}' after the value of '" + key + "'");
            }
        }
        ++pos_;
        skipSpace();
        if (pos_ != text_.size())
            error("unexpected text after the closing '}'");
        if (!haveDescr || !haveOrder || !haveShape) {
            fail(path_, "the header dictionary lacks key '" +
                            std::string(!haveDescr   ? "descr"
                                        : !haveOrder ? "fortran_order"
                                                     : "shape") +
                            "'");
        }
        return fields;
    }

private:
    [[noreturn]] void error(const std::string& what) const {
        fail(path_, "malformed header: " + what + " (at character " + std::to_string(pos_) + ")");
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skipSpace() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                       text_[pos_] == '\t' || text_[pos_] == '\r')) {
            ++pos_;
        }
    }
    void expect(char c, const std::string& what) {
        if (peek() != c)
            error(what);
        ++pos_;
    }
    void once(bool& seen, const std::string& key) const {
        if (seen)
            error("key '" + key + "' appears twice");
        seen = true;
    }
    std::string readString(const std::string& what) {
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            error("expected " + what);
        const std::size_t start = ++pos_;
        while (pos_ < text_.size() && text_[pos_] != quote) {
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '\\' || c < 0x20 || c > 0x7e)
                error("unsupported character in a string");
            ++pos_;
        }
        if (pos_ == text_.size())
            error("unterminated string");
        return std::string(text_.substr(start, pos_++ - start));
    }
    bool readBool() {
        for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
            const std::string_view w(word);
            if (text_.substr(pos_, w.size()) == w) {
                pos_ += w.size();
                return value;
            }
        }
        error("expected True or False for 'fortran_order'");
    }
    std::int64_t readInt() {
        if (peek() < '0' || peek() > '9')
            error("expected a non-negative integer in 'shape'");
        std::int64_t value = 0;
        while (peek() >= '0' && peek() <= '9') {
            const int digit = peek() - '0';
            if (value > (INT64_MAX - digit) / 10)
                error("a dimension in 'shape' overflows 64 bits");
            value = value * 10 + digit;
            ++pos_;
        }
        if (peek() == 'L')
            ++pos_;  // Python 2 long literal, e.g. (512L, 512L)
        return value;
    }
    std::vector<std::int64_t> readTuple() {
        expect('(', "expected a tuple for 'shape'");
        std::vector<std::int64_t> dims;
        skipSpace();
        while (peek() != ')') {
            if (dims.size() == 32)
                error("'shape' has more than 32 dimensions");
            dims.push_back(readInt());
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                skipSpace();
            } else if (peek() != ')') {
                error("expected ',' or ')' in 'shape'");
            }
        }
        ++pos_;
        return dims;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    const std::string& path_;
};

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

std::int64_t npyPreambleLength(std::span<const char> start, std::int64_t fileSize,
                               const std::string& path) {
    if (start.size() < kMagic.size() + 4 ||
        std::string_view(start.data(), kMagic.size()) != kMagic) {
        fail(path, fileSize < 10 ? "the file is too short to be a .npy file (" +
                                       std::to_string(fileSize) + " bytes)"
                                 : "not a .npy file (the magic string \\x93NUMPY is missing)");
    }
    const int major = static_cast<unsigned char>(start[6]);
    const int minor = static_cast<unsigned char>(start[7]);
    if (major < 1 || major > 3 || minor != 0) {
        fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
    }
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    if (start.size() < 8 + lengthBytes)
        fail(path, "the file ends inside the .npy preamble");
    const std::uint32_t headerLength = littleEndian(start.subspan(8, lengthBytes));
    if (headerLength > kNpyMaxHeaderBytes) {
        fail(path, "the header claims " + std::to_string(headerLength) +
                       " bytes, more than the limit of " + std::to_string(kNpyMaxHeaderBytes));
    }
    const auto total = static_cast<std::int64_t>(8 + lengthBytes + headerLength);
    if (total > fileSize) {
        fail(path, "the file is truncated: its header needs " + std::to_string(total) +
                       " bytes but the file has " + std::to_string(fileSize));
    }
    return total;
}

NpyLayout parseNpyPreamble(std::span<const char> preamble, std::int64_t fileSize,
                           const std::string& path) {
    const std::int64_t length = npyPreambleLength(preamble, fileSize, path);
    if (static_cast<std::int64_t>(preamble.size()) < length) {
        fail(path, "the file ends inside the .npy header");
    }
    const std::size_t dictStart = preamble[6] == 1 ? 10 : 12;
    const std::string_view text(preamble.data() + dictStart,
                                static_cast<std::size_t>(length) - dictStart);
    const HeaderParser::Fields fields = HeaderParser(text, path).parse();

    const DType dtype = parseDescr(fields.descr, path);
    if (fields.fortranOrder) {
        fail(path,
             "the array is stored in Fortran (column-major) order, which is not supported; "
             "save a C-ordered array (numpy: np.ascontiguousarray(a))");
    }
    const std::vector<std::int64_t>& shape = fields.shape;
    if (shape.size() != 2 && shape.size() != 3) {
        fail(path, "shape " + shapeText(shape) +
                       " is not an image; expected (height, width) or (channels, height, width)");
    }
    for (std::int64_t d : shape) {
        if (d == 0)
            fail(path, "shape " + shapeText(shape) + " holds no pixels");
    }
    NpyLayout layout;
    layout.planar3d = shape.size() == 3;
    const std::int64_t channels = layout.planar3d ? shape[0] : 1;
    const ResourceLimits limits = resourceLimits();
    const std::string what = "cannot read NumPy file '" + path + "': shape " + shapeText(shape);
    limits.checkChannels(what, channels);
    layout.info = {{shape.back(), shape[shape.size() - 2]}, static_cast<int>(channels), dtype};
    layout.dataOffset = length;

    std::int64_t dataBytes = 0;
    try {
        dataBytes = layout.info.bytes();
    } catch (const InvalidArgument&) {
        fail(path, "shape " + shapeText(shape) + " overflows 64-bit byte counts");
    }
    limits.checkPixels(what, layout.info.size.width, layout.info.size.height);
    const std::int64_t available = fileSize - length;
    if (available < dataBytes) {
        fail(path, "the file is truncated: shape " + shapeText(shape) + " of " +
                       std::string(dtypeName(dtype)) + " needs " + std::to_string(dataBytes) +
                       " bytes of pixels but the file holds " + std::to_string(available));
    }
    if (available > dataBytes) {
        fail(path, "the file has " + std::to_string(available - dataBytes) +
                       " unexpected bytes after the pixels of shape " + shapeText(shape));
    }
    return layout;
}

std::string formatNpyPreamble(const ImageInfo& info) {
    std::string shape = "(";
    if (info.channels != 1)
        shape += std::to_string(info.channels) + ", ";
    shape += std::to_string(info.size.height) + ", " + std::to_string(info.size.width) + ")";
    const char order = bytesPerSample(info.dtype) == 1 ? '|' : '<';
    std::string dict = "{'descr': '" + std::string(1, order) + std::string(descrCode(info.dtype)) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
    const std::size_t unpadded = 10 + dict.size() + 1;
    dict.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
    dict += '\n';

    std::string preamble(kMagic);
    preamble += '\x01';
    preamble += '\x00';
    preamble += static_cast<char>(dict.size() & 0xff);
    preamble += static_cast<char>((dict.size() >> 8) & 0xff);
    return preamble + dict;
}

}  // namespace tileflow::detail
