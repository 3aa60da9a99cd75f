#include "array_view.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>

namespace py = pybind11;

namespace tileflow::python {

std::optional<DType> engineDType(const py::dtype& dtype) {
    if (dtype.equal(py::dtype::of<std::uint8_t>()))
        return DType::U8;
    if (dtype.equal(py::dtype::of<std::int8_t>()))
        return DType::I8;
    if (dtype.equal(py::dtype::of<std::uint16_t>()))
        return DType::U16;
    if (dtype.equal(py::dtype::of<std::int16_t>()))
        return DType::I16;
    if (dtype.equal(py::dtype::of<std::uint32_t>()))
        return DType::U32;
    if (dtype.equal(py::dtype::of<float>()))
        return DType::F32;
    return std::nullopt;
}

std::vector<py::ssize_t> shapeOf(const py::array& array) {
    return {array.shape(), array.shape() + array.ndim()};
}

std::string shapeText(const std::vector<py::ssize_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

py::dtype numpyDType(DType dtype) {
    return visitDType(dtype, [](auto sample) { return py::dtype::of<decltype(sample)>(); });
}

namespace {

template <typename Byte>
std::optional<BasicImageView<Byte>> viewOf(const py::array& array, Byte* data) {
    const py::ssize_t ndim = array.ndim();
    if (ndim < 2)
        return std::nullopt;
    const std::optional<DType> dtype = engineDType(array.dtype());
    if (!dtype)
        return std::nullopt;
    const auto itemsize = static_cast<py::ssize_t>(bytesPerSample(*dtype));
    const py::ssize_t height = array.shape(ndim - 2);
    const py::ssize_t width = array.shape(ndim - 1);
    if (width > 1 && array.strides(ndim - 1) != itemsize)
        return std::nullopt;
    // The leading axes fold into one when each steps over the next one whole.
    py::ssize_t channels = 1;
    py::ssize_t channelStride = height * array.strides(ndim - 2);
    for (py::ssize_t axis = ndim - 3; axis >= 0; --axis) {
        const py::ssize_t n = array.shape(axis);
        if (n == 0)
            return std::nullopt;
        if (n > 1) {
            if (channels > 1 && array.strides(axis) != channels * channelStride)
                return std::nullopt;
            if (channels == 1)
                channelStride = array.strides(axis);
        }
        channels *= n;
    }
    if (channels > std::numeric_limits<int>::max())
        return std::nullopt;
    const ImageInfo info{{width, height}, static_cast<int>(channels), *dtype};
    return BasicImageView<Byte>(data, info, array.strides(ndim - 2), channelStride);
}

}  // namespace

std::optional<ConstImageView> constView(const py::array& array) {
    return viewOf(array, static_cast<const std::byte*>(array.data()));
}

std::optional<ImageView> writableView(py::array& array) {
    if (!array.writeable())
        return std::nullopt;
    return viewOf(array, static_cast<std::byte*>(array.mutable_data()));
}

}  // namespace tileflow::python
