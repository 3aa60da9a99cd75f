// A numpy array as an engine Source (converting dtypes the engine has no kernels for) and a
// numpy array as a Sink. Both borrow the array: the caller keeps it alive during the run.
// Reads and writes touch raw memory only and never need the GIL.
#pragma once

#include <pybind11/numpy.h>

#include "tileflow/source.hpp"

namespace tileflow::python {

// Reads any numeric array (at least 2-D, leading axes as channels, any strides); float64,
// float16 and integers wider than the engine's become f32, bool becomes u8.
class ArraySource final : public Source {
public:
    explicit ArraySource(const pybind11::array& array);
    ImageInfo info() const override { return info_; }
    void read(const Rect& region, ImageView out) const override;

private:
    // One row of `n` samples from `src` (the array's column stride apart) into `dst`.
    void readRow(const std::byte* src, std::byte* dst, std::int64_t n) const;

    const std::byte* data_;
    bool converts_ = false;  // to f32, for dtypes the engine has no kernels for
    char kind_;
    std::size_t itemsize_;
    std::vector<pybind11::ssize_t> leading_, leadingStrides_;
    pybind11::ssize_t rowStride_, colStride_;
    ImageInfo info_;
};

// Writes into a view of a writeable array of exactly the run's output info.
class ArraySink final : public Sink {
public:
    explicit ArraySink(ImageView target) : target_(target) {}
    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override {}
    void abort() noexcept override {}

private:
    ImageView target_;
};

}  // namespace tileflow::python
