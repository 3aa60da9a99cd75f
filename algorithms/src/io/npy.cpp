#include "tileflow/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "atomic_output.hpp"
#include "npy_header.hpp"
#include "posix_io.hpp"
#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

namespace tileflow {

using detail::errnoText;

namespace {

std::string regionText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

void checkRegion(const ImageInfo& image, const Rect& region, const ImageInfo& view,
                 const std::string& what) {
    if (region.width < 0 || region.height < 0 || !rectOf(image.size).contains(region)) {
        throw InvalidArgument(what + ": region " + regionText(region) + " is outside the " +
                              std::to_string(image.size.width) + "x" +
                              std::to_string(image.size.height) + " image");
    }
    const ImageInfo expected{region.size(), image.channels, image.dtype};
    if (view != expected) {
        throw InvalidArgument(what + ": the pixel view must be " + std::to_string(region.width) +
                              "x" + std::to_string(region.height) + " with " +
                              std::to_string(image.channels) + " channel(s) of " +
                              std::string(dtypeName(image.dtype)));
    }
}

// Byte offset of sample (c, x, y) in a C-ordered array of `info` starting at `dataOffset`.
std::int64_t sampleOffset(const ImageInfo& info, std::int64_t dataOffset, int c, std::int64_t x,
                          std::int64_t y) {
    const auto sample = static_cast<std::int64_t>(bytesPerSample(info.dtype));
    return dataOffset + ((c * info.size.height + y) * info.size.width + x) * sample;
}

}  // namespace

// ---- reading --------------------------------------------------------------------------------

NpySource::NpySource(std::string path) : path_(std::move(path)) {
    const auto fail = [this](const std::string& what) {
        throw IoError("cannot read NumPy file '" + path_ + "': " + what);
    };
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        fail(errnoText(errno));
    try {
        struct stat st {};
        if (::fstat(fd_, &st) != 0)
            fail(errnoText(errno));
        if (!S_ISREG(st.st_mode))
            fail("not a regular file");
        const std::int64_t fileSize = st.st_size;

        std::vector<char> preamble(
            static_cast<std::size_t>(std::min<std::int64_t>(fileSize, detail::kNpyFixedPreamble)));
        int err = 0;
        if (!detail::preadFully(fd_, preamble.data(), preamble.size(), 0, err)) {
            fail(err != 0 ? errnoText(err) : "the file shrank while it was being opened");
        }
        const std::int64_t length = detail::npyPreambleLength(preamble, fileSize, path_);
        preamble.resize(static_cast<std::size_t>(length));
        if (!detail::preadFully(fd_, preamble.data(), preamble.size(), 0, err)) {
            fail(err != 0 ? errnoText(err) : "the file shrank while it was being opened");
        }
        const detail::NpyLayout layout = detail::parseNpyPreamble(preamble, fileSize, path_);
        info_ = layout.info;
        dataOffset_ = layout.dataOffset;
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

NpySource::~NpySource() {
    ::close(fd_);
}

void NpySource::read(const Rect& region, ImageView out) const {
    checkRegion(info_, region, out.info(), "NpySource '" + path_ + "'");
    if (region.empty())
        return;
    const auto rowBytes = static_cast<std::size_t>(region.width) * bytesPerSample(info_.dtype);
    // Whole rows into packed rows: each channel's block is one contiguous read.
    const bool contiguous =
        region.width == info_.size.width && out.rowStride() == static_cast<std::int64_t>(rowBytes);
    const std::int64_t rowsPerRead = contiguous ? region.height : 1;
    int err = 0;
    for (int c = 0; c < info_.channels; ++c) {
        for (std::int64_t y = 0; y < region.height; y += rowsPerRead) {
            const std::int64_t offset = sampleOffset(info_, dataOffset_, c, region.x, region.y + y);
            const auto bytes = rowBytes * static_cast<std::size_t>(rowsPerRead);
            if (!detail::preadFully(fd_, out.row<std::byte>(c, y), bytes, offset, err)) {
                throw IoError(
                    "cannot read NumPy file '" + path_ + "': " +
                    (err != 0 ? errnoText(err) : "the file is shorter than when it was opened") +
                    " (channel " + std::to_string(c) + ", region " + regionText(region) + ")");
            }
        }
    }
}

Image readNpy(const std::string& path) {
    const NpySource source(path);
    resourceLimits().checkMemory("cannot read NumPy file '" + path + "' into memory: the array",
                                 source.info().bytes());
    Image image(source.info());
    source.read(rectOf(image.size()), image.view());
    return image;
}

// ---- writing --------------------------------------------------------------------------------

NpySink::NpySink(std::string path) : path_(std::move(path)) {}

NpySink::~NpySink() {
    abort();
}

void NpySink::begin(const ImageInfo& info) {
    abort();
    if (info.size.empty() || info.channels <= 0) {
        throw InvalidArgument("cannot write NumPy file '" + path_ + "': the image has no pixels (" +
                              std::to_string(info.size.width) + "x" +
                              std::to_string(info.size.height) + ", " +
                              std::to_string(info.channels) + " channels)");
    }
    const std::int64_t dataBytes = info.bytes();
    const std::string preamble = detail::formatNpyPreamble(info);

    tempPath_ = detail::temporaryPathFor(path_);
    fd_ = ::open(tempPath_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0) {
        const int err = errno;
        const std::string temp = tempPath_;
        tempPath_.clear();
        throw IoError("cannot write NumPy file '" + path_ + "': cannot create the temporary '" +
                      temp + "': " + errnoText(err));
    }
    int err = 0;
    const auto total = static_cast<std::int64_t>(preamble.size()) + dataBytes;
    if (!detail::pwriteFully(fd_, preamble.data(), preamble.size(), 0, err) ||
        ::ftruncate(fd_, static_cast<off_t>(total)) != 0) {
        if (err == 0)
            err = errno;
        abort();
        throw IoError("cannot write NumPy file '" + path_ + "': cannot prepare " +
                      std::to_string(total) + " bytes: " + errnoText(err));
    }
    info_ = info;
    dataOffset_ = static_cast<std::int64_t>(preamble.size());
}

void NpySink::write(const Rect& region, ConstImageView pixels) {
    if (fd_ < 0) {
        throw InvalidArgument("NpySink '" + path_ + "': write() called outside begin()/commit()");
    }
    checkRegion(info_, region, pixels.info(), "NpySink '" + path_ + "'");
    if (region.empty())
        return;
    const auto rowBytes = static_cast<std::size_t>(region.width) * bytesPerSample(info_.dtype);
    const bool contiguous = region.width == info_.size.width &&
                            pixels.rowStride() == static_cast<std::int64_t>(rowBytes);
    const std::int64_t rowsPerWrite = contiguous ? region.height : 1;
    int err = 0;
    for (int c = 0; c < info_.channels; ++c) {
        for (std::int64_t y = 0; y < region.height; y += rowsPerWrite) {
            const std::int64_t offset = sampleOffset(info_, dataOffset_, c, region.x, region.y + y);
            const auto bytes = rowBytes * static_cast<std::size_t>(rowsPerWrite);
            if (!detail::pwriteFully(fd_, pixels.row<std::byte>(c, y), bytes, offset, err)) {
                throw IoError("cannot write NumPy file '" + path_ + "': " + errnoText(err) +
                              " (channel " + std::to_string(c) + ", region " + regionText(region) +
                              ")");
            }
        }
    }
}

void NpySink::commit() {
    if (fd_ < 0) {
        throw InvalidArgument("NpySink '" + path_ + "': commit() called without begin()");
    }
    const auto failWith = [this](const std::string& step, int err) {
        abort();
        throw IoError("cannot write NumPy file '" + path_ + "': " + step + ": " + errnoText(err));
    };
    if (::fsync(fd_) != 0)
        failWith("flushing to disk failed", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0)
        failWith("closing the temporary failed", errno);
    if (::rename(tempPath_.c_str(), path_.c_str()) != 0) {
        failWith("renaming '" + tempPath_ + "' into place failed", errno);
    }
    tempPath_.clear();
    try {
        detail::syncParentFolder(path_);
    } catch (const IoError&) {
        // The rename is the commit point. Syncing the folder makes it durable across a power
        // loss; if that fails the file is still complete and in place, so there is nothing to
        // report as a failed commit.
    }
}

void NpySink::abort() noexcept {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    if (!tempPath_.empty())
        ::unlink(tempPath_.c_str());
    tempPath_.clear();
}

void writeNpy(const std::string& path, ConstImageView pixels) {
    NpySink sink(path);
    sink.begin(pixels.info());
    sink.write(rectOf(pixels.size()), pixels);
    sink.commit();
}

SourceMetadata NpySource::metadata() const {
    SourceMetadata m = Source::metadata();
    m.format = "npy";
    return m;
}

}  // namespace tileflow
