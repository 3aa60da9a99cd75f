#include "array_io.hpp"

#include <cstring>
#include <string>

#include "array_view.hpp"
#include "tileflow/error.hpp"

namespace py = pybind11;

namespace tileflow::python {

namespace {

template <typename From>
void convertRow(const std::byte* src, py::ssize_t stride, float* dst, std::int64_t n) {
    for (std::int64_t x = 0; x < n; ++x) {
        From value;
        std::memcpy(&value, src + x * stride, sizeof(From));
        dst[x] = static_cast<float>(value);
    }
}

// Calls f(From{}) for the sample type of numpy kind `kind` and size `size`.
template <typename F>
void visitNumpy(char kind, std::size_t size, F&& f) {
    switch (kind) {
        case 'b':
            return f(bool{});
        case 'f':
            if (size == 8)
                return f(double{});
            if (size == 4)
                return f(float{});
            break;
        case 'i':
            if (size == 1)
                return f(std::int8_t{});
            if (size == 2)
                return f(std::int16_t{});
            if (size == 4)
                return f(std::int32_t{});
            if (size == 8)
                return f(std::int64_t{});
            break;
        case 'u':
            if (size == 1)
                return f(std::uint8_t{});
            if (size == 2)
                return f(std::uint16_t{});
            if (size == 4)
                return f(std::uint32_t{});
            if (size == 8)
                return f(std::uint64_t{});
            break;
        default:
            break;
    }
    throw InvalidArgument("arrays of numpy kind '" + std::string(1, kind) + "' with " +
                          std::to_string(size) + "-byte samples cannot be processed");
}

}  // namespace

ArraySource::ArraySource(const py::array& array)
    : data_(static_cast<const std::byte*>(array.data())),
      kind_(array.dtype().kind()),
      itemsize_(static_cast<std::size_t>(array.itemsize())) {
    const py::ssize_t n = array.ndim();
    if (n < 2)
        throw InvalidArgument("an image array needs at least 2 dimensions (height, width)");
    std::int64_t channels = 1;
    for (py::ssize_t a = 0; a < n - 2; ++a) {
        leading_.push_back(array.shape(a));
        leadingStrides_.push_back(array.strides(a));
        channels *= array.shape(a);
    }
    rowStride_ = array.strides(n - 2);
    colStride_ = array.strides(n - 1);
    DType dtype = DType::F32;
    if (const std::optional<DType> native = engineDType(array.dtype()))
        dtype = *native;
    else if (kind_ == 'b')
        dtype = DType::U8;
    else
        converts_ = true;
    visitNumpy(kind_, itemsize_, [](auto) {});  // refuses what cannot be read
    info_ = {{array.shape(n - 1), array.shape(n - 2)}, static_cast<int>(channels), dtype};
}

void ArraySource::read(const Rect& region, ImageView out) const {
    if (!rectOf(info_.size).contains(region) || out.size() != region.size() ||
        out.channels() != info_.channels || out.dtype() != info_.dtype)
        throw InvalidArgument("read outside the array or into a view of another shape");
    for (int c = 0; c < info_.channels; ++c) {
        // Channel c's offset: its index along each leading axis times that axis's stride.
        std::int64_t rest = c;
        py::ssize_t offset = 0;
        for (std::size_t a = leading_.size(); a-- > 0;) {
            offset += (rest % leading_[a]) * leadingStrides_[a];
            rest /= leading_[a];
        }
        const std::byte* plane = data_ + offset + region.y * rowStride_ + region.x * colStride_;
        for (std::int64_t y = 0; y < region.height; ++y)
            readRow(plane + y * rowStride_, out.row<std::byte>(c, y), region.width);
    }
}

void ArraySource::readRow(const std::byte* src, std::byte* dst, std::int64_t n) const {
    if (kind_ == 'b') {
        for (std::int64_t x = 0; x < n; ++x)
            dst[x] = src[x * colStride_] != std::byte{0} ? std::byte{1} : std::byte{0};
    } else if (converts_) {
        visitNumpy(kind_, itemsize_, [&](auto from) {
            convertRow<decltype(from)>(src, colStride_, reinterpret_cast<float*>(dst), n);
        });
    } else if (colStride_ == static_cast<py::ssize_t>(itemsize_)) {
        std::memcpy(dst, src, static_cast<std::size_t>(n) * itemsize_);
    } else {
        for (std::int64_t x = 0; x < n; ++x)
            std::memcpy(dst + x * static_cast<std::int64_t>(itemsize_), src + x * colStride_,
                        itemsize_);
    }
}

void ArraySink::begin(const ImageInfo& info) {
    if (info != target_.info())
        throw InvalidArgument("the output array does not match the run's output");
}

void ArraySink::write(const Rect& region, ConstImageView pixels) {
    copyPixels(pixels, target_.region(region));
}

}  // namespace tileflow::python
