/// @file
/// Images and views of images.
///
/// Layout: planar CHW. A view addresses pixel (c, x, y) at
/// @code
///   data + c * channelStride + y * rowStride + x * bytesPerSample(dtype)
/// @endcode
/// with strides in bytes, so a channel, a channel range or a rectangular region of a view
/// is again a view onto the same memory: no pixels are copied.
///
/// Ownership: `Image` owns its pixels (64-byte aligned, rows packed, channels stacked).
/// `ImageView` and `ConstImageView` own nothing; the caller keeps the memory alive for as
/// long as the view is used. A ConstImageView never writes; an ImageView converts to one.
///
/// Thread-safety: views are plain values. Concurrent reads are safe; concurrent writes are
/// safe when they touch disjoint pixels (the engine's tiles write disjoint cores).
///
/// Errors: sizes that are negative, overflow 64 bits or exceed the view they are taken from
/// throw tileflow::InvalidArgument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include "tileflow/geometry.hpp"

namespace tileflow {

/// The type of a sample (one channel of one pixel).
enum class DType : std::uint8_t {
    U8,   ///< std::uint8_t
    I8,   ///< std::int8_t
    U16,  ///< std::uint16_t
    I16,  ///< std::int16_t
    U32,  ///< std::uint32_t
    F32   ///< float
};

/// Bytes of one sample: 1, 2 or 4.
std::size_t bytesPerSample(DType type);
/// The dtype's short name: "u8", "i8", "u16", "i16", "u32", "f32".
std::string_view dtypeName(DType type);
/// The dtype of a name dtypeName() gives; nullopt for any other text.
std::optional<DType> parseDType(std::string_view name);

/// The DType of the C++ sample type `T` (std::uint8_t ... float); other types do not compile.
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

/// Calls `f` with a value-initialised sample of the C++ type that `type` stands for
/// (std::uint8_t for U8 ... float for F32) and returns what it returns, so that code written
/// once for any sample type can read rows of a view whose dtype is known only at run time:
/// @code
///   tileflow::visitDType(view.dtype(), [&](auto sample) {
///       using T = decltype(sample);
///       const T* first = view.row<T>(0, 0);
///   });
/// @endcode
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

/// What an image is, without its pixels.
struct ImageInfo {
    Size size;                ///< in pixels
    int channels = 0;         ///< number of channel planes
    DType dtype = DType::U8;  ///< type of every sample

    /// Packed size of all pixels, in bytes. Throws InvalidArgument for a negative size or
    /// channel count, or a product that overflows 64 bits.
    std::int64_t bytes() const;
    /// Equal when size, channels and dtype are.
    friend bool operator==(const ImageInfo&, const ImageInfo&) = default;
};

/// A strided view; `Byte` is std::byte (writable) or const std::byte (read-only).
/// Use the aliases ImageView and ConstImageView.
template <typename Byte>
class BasicImageView {
public:
    /// An empty view: no data, no pixels.
    BasicImageView() = default;
    /// A view of `info` at `data`; strides in bytes, as in the layout above. Nothing is
    /// checked: the memory must hold every pixel the strides address.
    BasicImageView(Byte* data, ImageInfo info, std::int64_t rowStride, std::int64_t channelStride)
        : data_(data), info_(info), rowStride_(rowStride), channelStride_(channelStride) {}

    /// A writable view converts to a read-only one, never the other way.
    template <typename Other>
    requires(std::is_const_v<Byte> && !std::is_const_v<Other>)
        BasicImageView(const BasicImageView<Other>& v)  // NOLINT(google-explicit-constructor)
        : BasicImageView(v.data(), v.info(), v.rowStride(), v.channelStride()) {}

    /// The first sample of channel 0, row 0.
    Byte* data() const { return data_; }
    /// Size, channels and dtype.
    const ImageInfo& info() const { return info_; }
    /// In pixels.
    Size size() const { return info_.size; }
    /// Columns.
    std::int64_t width() const { return info_.size.width; }
    /// Rows.
    std::int64_t height() const { return info_.size.height; }
    /// Number of channels.
    int channels() const { return info_.channels; }
    /// Type of every sample.
    DType dtype() const { return info_.dtype; }
    /// Bytes from one row to the next.
    std::int64_t rowStride() const { return rowStride_; }
    /// Bytes from one channel plane to the next.
    std::int64_t channelStride() const { return channelStride_; }
    /// True without data, pixels or channels.
    bool empty() const { return data_ == nullptr || info_.size.empty() || info_.channels <= 0; }

    /// Pointer to the first sample of row y of channel c. T must match dtype().
    template <typename T>
    auto row(int c, std::int64_t y) const {
        using Out = std::conditional_t<std::is_const_v<Byte>, const T, T>;
        return reinterpret_cast<Out*>(data_ + c * channelStride_ + y * rowStride_);
    }

    /// Channels [first, first + count); throws InvalidArgument when they are not all in
    /// the view.
    BasicImageView channelRange(int first, int count) const;
    /// Channel `c` alone.
    BasicImageView channel(int c) const { return channelRange(c, 1); }
    /// The pixels of `r`, given in this view's coordinates; must lie inside the view
    /// (InvalidArgument otherwise).
    BasicImageView region(const Rect& r) const;

private:
    Byte* data_ = nullptr;
    ImageInfo info_;
    std::int64_t rowStride_ = 0;
    std::int64_t channelStride_ = 0;
};

/// A view that may write the pixels it shows.
using ImageView = BasicImageView<std::byte>;
/// A view that only reads.
using ConstImageView = BasicImageView<const std::byte>;
extern template class BasicImageView<std::byte>;
extern template class BasicImageView<const std::byte>;

/// An image that owns its pixels. Moveable, not copyable (use clone()).
class Image {
public:
    /// An empty image: no pixels.
    Image() = default;
    /// Allocates the pixels of `info`.
    /// Pixels are left uninitialised: touching fresh memory is the expensive part, and the
    /// engine writes every output pixel anyway. Use zeros() when the content matters.
    /// Throws InvalidArgument for negative or overflowing sizes and tileflow::Error when
    /// the memory cannot be allocated; ResourceLimits are not consulted.
    explicit Image(ImageInfo info);
    /// Image(ImageInfo) with the info spelled out.
    Image(DType dtype, int channels, std::int64_t width, std::int64_t height)
        : Image(ImageInfo{{width, height}, channels, dtype}) {}
    /// An image of `info` whose samples are all zero.
    static Image zeros(ImageInfo info);

    /// Takes the pixels of another image, which is left empty.
    Image(Image&&) noexcept = default;
    /// Takes the pixels of another image, which is left empty.
    Image& operator=(Image&&) noexcept = default;
    /// A deep copy.
    Image clone() const;

    /// Size, channels and dtype.
    const ImageInfo& info() const { return info_; }
    /// In pixels.
    Size size() const { return info_.size; }
    /// Columns.
    std::int64_t width() const { return info_.size.width; }
    /// Rows.
    std::int64_t height() const { return info_.size.height; }
    /// Number of channels.
    int channels() const { return info_.channels; }
    /// Type of every sample.
    DType dtype() const { return info_.dtype; }
    /// Bytes of all pixels.
    std::int64_t bytes() const { return info_.bytes(); }
    /// True when no pixels are held (default-constructed, moved from, or of zero size).
    bool empty() const { return !pixels_; }

    /// A view of all pixels (rows packed, channels stacked).
    /// Views of a temporary image are valid until the end of the full expression: fine as
    /// an argument, dangling once stored.
    ImageView view();
    /// A read-only view of all pixels; see view().
    ConstImageView view() const;
    /// view(), so an Image can be passed where a view is expected.
    operator ImageView() { return view(); }  // NOLINT(google-explicit-constructor)
    /// view() const, so an Image can be passed where a read-only view is expected.
    operator ConstImageView() const { return view(); }  // NOLINT(google-explicit-constructor)

private:
    struct Free {
        void operator()(std::byte* p) const;
    };
    ImageInfo info_;
    std::unique_ptr<std::byte[], Free> pixels_;
};

/// Copies pixels between views of equal info (dtype, channels and size must match;
/// InvalidArgument otherwise).
void copyPixels(ConstImageView from, ImageView to);

/// True when both views hold the same dtype, shape and bytes.
bool samePixels(ConstImageView a, ConstImageView b);

}  // namespace tileflow
