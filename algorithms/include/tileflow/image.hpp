// Images and views of images.
//
// Layout: planar CHW. A view addresses pixel (c, x, y) at
//   data + c * channelStride + y * rowStride + x * bytesPerSample(dtype)
// with strides in bytes, so a channel, a channel range or a rectangular region of a view
// is again a view onto the same memory: no pixels are copied.
//
// Ownership: `Image` owns its pixels (64-byte aligned, rows packed, channels stacked).
// `ImageView` and `ConstImageView` own nothing; the caller keeps the memory alive for as
// long as the view is used. A ConstImageView never writes; an ImageView converts to one.
//
// Thread-safety: views are plain values. Concurrent reads are safe; concurrent writes are
// safe when they touch disjoint pixels (the engine's tiles write disjoint cores).
//
// Errors: sizes that are negative, overflow 64 bits or exceed the view they are taken from
// throw tileflow::InvalidArgument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include "tileflow/geometry.hpp"

namespace tileflow {

enum class DType : std::uint8_t { U8, I8, U16, I16, U32, F32 };

std::size_t bytesPerSample(DType type);
std::string_view dtypeName(DType type);                  // "u8", "i16", "f32", ...
std::optional<DType> parseDType(std::string_view name);  // accepts the names above

template <typename T>
constexpr DType dtypeOf() {
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return DType::U8;
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return DType::I8;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return DType::U16;
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return DType::I16;
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return DType::U32;
    else {
        static_assert(std::is_same_v<T, float>, "unsupported sample type");
        return DType::F32;
    }
}

// Calls `f` with a value-initialised sample of the C++ type that `type` stands for
// (std::uint8_t for U8 ... float for F32) and returns what it returns, so that code written
// once for any sample type can read rows of a view whose dtype is known only at run time:
//   tileflow::visitDType(view.dtype(), [&](auto sample) {
//       using T = decltype(sample);
//       const T* first = view.row<T>(0, 0);
//   });
template <typename F>
decltype(auto) visitDType(DType type, F&& f) {
    switch (type) {
        case DType::U8:
            return f(std::uint8_t{});
        case DType::I8:
            return f(std::int8_t{});
        case DType::U16:
            return f(std::uint16_t{});
        case DType::I16:
            return f(std::int16_t{});
        case DType::U32:
            return f(std::uint32_t{});
        case DType::F32:
            break;
    }
    return f(float{});
}

// What an image is, without its pixels.
struct ImageInfo {
    Size size;
    int channels = 0;
    DType dtype = DType::U8;

    std::int64_t bytes() const;  // packed size of all pixels
    friend bool operator==(const ImageInfo&, const ImageInfo&) = default;
};

// A strided view; `Byte` is std::byte (writable) or const std::byte (read-only).
template <typename Byte>
class BasicImageView {
public:
    BasicImageView() = default;
    BasicImageView(Byte* data, ImageInfo info, std::int64_t rowStride, std::int64_t channelStride)
        : data_(data), info_(info), rowStride_(rowStride), channelStride_(channelStride) {}

    // A writable view converts to a read-only one, never the other way.
    template <typename Other>
    requires(std::is_const_v<Byte> && !std::is_const_v<Other>)
        BasicImageView(const BasicImageView<Other>& v)  // NOLINT(google-explicit-constructor)
        : BasicImageView(v.data(), v.info(), v.rowStride(), v.channelStride()) {}

    Byte* data() const { return data_; }
    const ImageInfo& info() const { return info_; }
    Size size() const { return info_.size; }
    std::int64_t width() const { return info_.size.width; }
    std::int64_t height() const { return info_.size.height; }
    int channels() const { return info_.channels; }
    DType dtype() const { return info_.dtype; }
    std::int64_t rowStride() const { return rowStride_; }
    std::int64_t channelStride() const { return channelStride_; }
    bool empty() const { return data_ == nullptr || info_.size.empty() || info_.channels <= 0; }

    // Pointer to the first sample of row y of channel c. T must match dtype().
    template <typename T>
    auto row(int c, std::int64_t y) const {
        using Out = std::conditional_t<std::is_const_v<Byte>, const T, T>;
        return reinterpret_cast<Out*>(data_ + c * channelStride_ + y * rowStride_);
    }

    // Channels [first, first + count).
    BasicImageView channelRange(int first, int count) const;
    BasicImageView channel(int c) const { return channelRange(c, 1); }
    // The pixels of `r`, given in this view's coordinates; must lie inside the view.
    BasicImageView region(const Rect& r) const;

private:
    Byte* data_ = nullptr;
    ImageInfo info_;
    std::int64_t rowStride_ = 0;
    std::int64_t channelStride_ = 0;
};

using ImageView = BasicImageView<std::byte>;
using ConstImageView = BasicImageView<const std::byte>;
extern template class BasicImageView<std::byte>;
extern template class BasicImageView<const std::byte>;

// An image that owns its pixels. Moveable, not copyable (use clone()).
class Image {
public:
    Image() = default;
    // Pixels are left uninitialised: touching fresh memory is the expensive part, and the
    // engine writes every output pixel anyway. Use zeros() when the content matters.
    explicit Image(ImageInfo info);
    Image(DType dtype, int channels, std::int64_t width, std::int64_t height)
        : Image(ImageInfo{{width, height}, channels, dtype}) {}
    static Image zeros(ImageInfo info);

    Image(Image&&) noexcept = default;
    Image& operator=(Image&&) noexcept = default;
    Image clone() const;

    const ImageInfo& info() const { return info_; }
    Size size() const { return info_.size; }
    std::int64_t width() const { return info_.size.width; }
    std::int64_t height() const { return info_.size.height; }
    int channels() const { return info_.channels; }
    DType dtype() const { return info_.dtype; }
    std::int64_t bytes() const { return info_.bytes(); }
    bool empty() const { return !pixels_; }

    // Views of a temporary image are valid until the end of the full expression: fine as
    // an argument, dangling once stored.
    ImageView view();
    ConstImageView view() const;
    operator ImageView() { return view(); }             // NOLINT(google-explicit-constructor)
    operator ConstImageView() const { return view(); }  // NOLINT(google-explicit-constructor)

private:
    struct Free {
        void operator()(std::byte* p) const;
    };
    ImageInfo info_;
    std::unique_ptr<std::byte[], Free> pixels_;
};

// Copies pixels between views of equal info (dtype, channels and size must match).
void copyPixels(ConstImageView from, ImageView to);

// True when both views hold the same dtype, shape and bytes.
bool samePixels(ConstImageView a, ConstImageView b);

}  // namespace tileflow
