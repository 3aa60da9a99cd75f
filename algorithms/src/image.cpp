#include "tileflow/image.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "tileflow/error.hpp"

namespace tileflow {

namespace {
constexpr std::size_t kAlignment = 64;
// Large buffers are aligned to and backed by 2 MiB pages: on the virtual machines we run on,
// first touch of 4 KiB pages runs at ~0.3 GB/s and TLB misses halve later bandwidth too.
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kHugeThreshold = std::size_t{8} << 20;

std::int64_t checkedProduct(std::int64_t a, std::int64_t b) {
    std::int64_t result = 0;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &result)) {
        throw InvalidArgument("image size overflows 64-bit byte counts");
    }
    return result;
}
}  // namespace

std::size_t bytesPerSample(DType type) {
    switch (type) {
        case DType::U8:
        case DType::I8:
            return 1;
        case DType::U16:
        case DType::I16:
            return 2;
        case DType::U32:
        case DType::F32:
            return 4;
    }
    return 0;
}

std::string_view dtypeName(DType type) {
    switch (type) {
        case DType::U8:
            return "u8";
        case DType::I8:
            return "i8";
        case DType::U16:
            return "u16";
        case DType::I16:
            return "i16";
        case DType::U32:
            return "u32";
        case DType::F32:
            return "f32";
    }
    return "?";
}

std::optional<DType> parseDType(std::string_view name) {
    for (DType t : {DType::U8, DType::I8, DType::U16, DType::I16, DType::U32, DType::F32}) {
        if (dtypeName(t) == name)
            return t;
    }
    return std::nullopt;
}

std::int64_t ImageInfo::bytes() const {
    if (size.width < 0 || size.height < 0 || channels < 0) {
        throw InvalidArgument("image size and channel count must not be negative");
    }
    return checkedProduct(
        checkedProduct(size.width, size.height),
        checkedProduct(channels, static_cast<std::int64_t>(bytesPerSample(dtype))));
}

template <typename Byte>
BasicImageView<Byte> BasicImageView<Byte>::channelRange(int first, int count) const {
    if (first < 0 || count < 0 || first + count > info_.channels) {
        throw InvalidArgument("channel range [" + std::to_string(first) + ", " +
                              std::to_string(first + count) + ") is outside the " +
                              std::to_string(info_.channels) + " channels of the view");
    }
    ImageInfo sub = info_;
    sub.channels = count;
    return {data_ + first * channelStride_, sub, rowStride_, channelStride_};
}

template <typename Byte>
BasicImageView<Byte> BasicImageView<Byte>::region(const Rect& r) const {
    if (r.width < 0 || r.height < 0 || !rectOf(info_.size).contains(r)) {
        throw InvalidArgument("region " + std::to_string(r.width) + "x" + std::to_string(r.height) +
                              "+" + std::to_string(r.x) + "+" + std::to_string(r.y) +
                              " is outside the " + std::to_string(info_.size.width) + "x" +
                              std::to_string(info_.size.height) + " view");
    }
    ImageInfo sub = info_;
    sub.size = r.size();
    const auto sample = static_cast<std::int64_t>(bytesPerSample(info_.dtype));
    return {data_ + r.y * rowStride_ + r.x * sample, sub, rowStride_, channelStride_};
}

template class BasicImageView<std::byte>;
template class BasicImageView<const std::byte>;

void Image::Free::operator()(std::byte* p) const {
    std::free(p);
}

Image::Image(ImageInfo info) : info_(info) {
    const std::int64_t bytes = info.bytes();
    if (bytes == 0)
        return;
    const auto size = static_cast<std::size_t>(bytes);
    const std::size_t alignment = size >= kHugeThreshold ? kHugePage : kAlignment;
    // aligned_alloc wants a size that is a multiple of the alignment.
    const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    pixels_.reset(static_cast<std::byte*>(std::aligned_alloc(alignment, rounded)));
    if (!pixels_) {
        throw Error("out of memory allocating a " + std::to_string(bytes) + "-byte image");
    }
    if (alignment == kHugePage) {
        // Advice only: without transparent huge pages the buffer works the same, just slower.
        madvise(pixels_.get(), rounded, MADV_HUGEPAGE);
    }
}

Image Image::zeros(ImageInfo info) {
    Image image(info);
    if (!image.empty())
        std::memset(image.pixels_.get(), 0, static_cast<std::size_t>(image.bytes()));
    return image;
}

Image Image::clone() const {
    Image copy(info_);
    if (!empty())
        std::memcpy(copy.pixels_.get(), pixels_.get(), static_cast<std::size_t>(bytes()));
    return copy;
}

ImageView Image::view() {
    const auto row = info_.size.width * static_cast<std::int64_t>(bytesPerSample(info_.dtype));
    return {pixels_.get(), info_, row, row * info_.size.height};
}

ConstImageView Image::view() const {
    const auto row = info_.size.width * static_cast<std::int64_t>(bytesPerSample(info_.dtype));
    return {pixels_.get(), info_, row, row * info_.size.height};
}

void copyPixels(ConstImageView from, ImageView to) {
    if (from.info() != to.info()) {
        throw InvalidArgument(
            "copyPixels: source and destination differ in size, channels or dtype");
    }
    const auto rowBytes = static_cast<std::size_t>(from.width()) * bytesPerSample(from.dtype());
    for (int c = 0; c < from.channels(); ++c) {
        for (std::int64_t y = 0; y < from.height(); ++y) {
            std::memcpy(to.row<std::byte>(c, y), from.row<std::byte>(c, y), rowBytes);
        }
    }
}

bool samePixels(ConstImageView a, ConstImageView b) {
    if (a.info() != b.info())
        return false;
    const auto rowBytes = static_cast<std::size_t>(a.width()) * bytesPerSample(a.dtype());
    for (int c = 0; c < a.channels(); ++c) {
        for (std::int64_t y = 0; y < a.height(); ++y) {
            if (std::memcmp(a.row<std::byte>(c, y), b.row<std::byte>(c, y), rowBytes) != 0) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace tileflow
