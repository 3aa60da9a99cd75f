#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "atomic_output.hpp"
#include "ome_zarr_writer.hpp"
#include "tileflow/error.hpp"
#include "tileflow/zarr.hpp"

namespace tileflow {

using detail::errnoText;

namespace {

namespace fs = std::filesystem;

std::string regionText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

}  // namespace

struct OmeZarrSink::State {
    ImageInfo info;
    std::string temp;
    std::vector<Size> levels;
    std::unique_ptr<detail::OmeZarrChunkWriter> writer;
};

OmeZarrSink::OmeZarrSink(std::string path, OmeZarrOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

OmeZarrSink::~OmeZarrSink() {
    abort();
}

std::vector<Size> OmeZarrSink::levelSizes() const {
    return state_ ? state_->levels : std::vector<Size>{};
}

void OmeZarrSink::begin(const ImageInfo& info) {
    abort();
    auto state = std::make_unique<State>();
    state->info = info;
    state->levels = detail::omeZarrLevelSizes(path_, info, options_);

    std::error_code ec;
    if (fs::exists(path_, ec) && !detail::isZarrStore(path_))
        throw IoError("cannot write OME-Zarr store '" + path_ +
                      "': something that is not a zarr store already exists there");

    state->temp = detail::temporaryPathFor(path_);
    if (::mkdir(state->temp.c_str(), 0777) != 0)
        throw IoError("cannot write OME-Zarr store '" + path_ + "': cannot create '" + state->temp +
                      "': " + errnoText(errno));
    state->writer = std::make_unique<detail::OmeZarrChunkWriter>(
        state->temp, info, options_.chunk, detail::omeZarrCodec(options_.compression),
        state->levels, 0);
    state_ = std::move(state);
}

void OmeZarrSink::write(const Rect& region, ConstImageView pixels) {
    if (!state_)
        throw InvalidArgument("OmeZarrSink '" + path_ +
                              "': write() called outside begin()/commit()");
    const ImageInfo& info = state_->info;
    if (region.width < 0 || region.height < 0 || !rectOf(info.size).contains(region))
        throw InvalidArgument("OmeZarrSink '" + path_ + "': region " + regionText(region) +
                              " is outside the " + std::to_string(info.size.width) + "x" +
                              std::to_string(info.size.height) + " image");
    if (pixels.info() != ImageInfo{region.size(), info.channels, info.dtype})
        throw InvalidArgument("OmeZarrSink '" + path_ + "': the pixel view must be " +
                              std::to_string(region.width) + "x" + std::to_string(region.height) +
                              " with " + std::to_string(info.channels) + " channel(s) of " +
                              std::string(dtypeName(info.dtype)));
    if (region.empty())
        return;
    try {
        state_->writer->deliver(0, region, pixels);
        state_->writer->flush();
    } catch (const InvalidArgument& e) {
        throw InvalidArgument("OmeZarrSink '" + path_ + "': " + e.what());
    } catch (const IoError& e) {
        throw IoError("cannot write OME-Zarr store '" + path_ + "': " + e.what());
    }
}

void OmeZarrSink::commit() {
    if (!state_)
        throw InvalidArgument("OmeZarrSink '" + path_ + "': commit() called without begin()");
    State& s = *state_;
    const auto failWith = [this](const std::string& what) {
        abort();
        throw IoError("cannot write OME-Zarr store '" + path_ + "': " + what);
    };
    const auto levels = static_cast<int>(s.levels.size());
    for (int i = 0; i < levels; ++i) {
        if (const std::int64_t missing = s.writer->incompleteChunks(i))
            failWith("commit() before every pixel was written (level " + std::to_string(i) +
                     " has " + std::to_string(missing) + " incomplete chunks)");
    }
    try {
        for (int i = 0; i < levels; ++i)
            detail::writeOmeZarrArray(s.temp, i, s.info, s.levels[static_cast<std::size_t>(i)],
                                      options_);
        detail::writeJson(s.temp + "/.zattrs",
                          detail::omeZarrAttributes(fs::path(path_).filename().string(), s.info,
                                                    levels, options_));
        detail::writeJson(s.temp + "/.zgroup", {{"zarr_format", 2}});
        detail::syncFileSystem(s.temp);
    } catch (const IoError& e) {
        failWith(e.what());
    }

    try {
        detail::moveStoreIntoPlace(s.temp, path_);
    } catch (const IoError& e) {
        failWith(e.what());
    }
    state_.reset();
}

void OmeZarrSink::abort() noexcept {
    if (!state_)
        return;
    std::error_code ec;
    fs::remove_all(state_->temp, ec);
    state_.reset();
}

}  // namespace tileflow
