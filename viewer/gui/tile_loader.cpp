#include "gui/tile_loader.hpp"

#include <mutex>

#include "gui/channel_composite.hpp"
#include "tileflow/thread_priority.hpp"

namespace tileflow::gui {

// The tiles wanted now, shared with the workers.
struct TileLoader::WishList {
    std::mutex mutex;
    std::set<TileKey> keys;

    bool wants(const TileKey& key) {
        std::lock_guard lock(mutex);
        return keys.contains(key);
    }
};

TileLoader::TileLoader(int threads, QObject* parent)
    : QObject(parent), wishes_(std::make_shared<WishList>()) {
    pool_.setMaxThreadCount(threads);
}

TileLoader::~TileLoader() {
    {
        std::lock_guard lock(wishes_->mutex);
        wishes_->keys.clear();
    }
    pool_.clear();
    pool_.waitForDone();
}

void TileLoader::setSource(std::shared_ptr<const Source> source,
                           std::shared_ptr<const DisplayPyramid> pyramid) {
    forgetRequests();
    source_ = std::move(source);
    pyramid_ = std::move(pyramid);
    channels_.clear();
}

void TileLoader::setChannels(ChannelDisplays channels) {
    forgetRequests();
    channels_ = std::move(channels);
}

void TileLoader::forgetRequests() {
    {
        std::lock_guard lock(wishes_->mutex);
        wishes_->keys.clear();
    }
    wishes_ = std::make_shared<WishList>();  // old workers keep the old, empty list
    inFlight_.clear();
    ++serial_;
}

void TileLoader::request(const std::vector<TileKey>& keys) {
    {
        std::lock_guard lock(wishes_->mutex);
        wishes_->keys = std::set<TileKey>(keys.begin(), keys.end());
    }
    ++generation_;
    for (const TileKey& key : keys) {
        if (!inFlight_.contains(key))
            submit(key);
    }
}

void TileLoader::submit(const TileKey& key) {
    if (!source_)
        return;
    inFlight_.insert(key);
    pool_.start(
        [this, key, serial = serial_, wishes = wishes_, source = source_, pyramid = pyramid_,
         channels = channels_] {
            makeCurrentThreadBackground();  // a pool thread: cheap to repeat
            QImage tile;
            QString error;
            if (wishes->wants(key)) {
                try {
                    tile = compositeChannels(pyramid->readTile(*source, key).view(), channels);
                } catch (const std::exception& e) {
                    error = QString::fromStdString(e.what());
                }
            }
            QMetaObject::invokeMethod(
                this, [this, serial, key, tile, error] { finish(serial, key, tile, error); },
                Qt::QueuedConnection);
        },
        generation_);
}

void TileLoader::finish(int serial, const TileKey& key, const QImage& tile, const QString& error) {
    if (serial != serial_)
        return;
    inFlight_.erase(key);
    if (!error.isEmpty())
        emit tileFailed(key, error);
    else if (!tile.isNull())
        emit tileLoaded(key, tile);
}

}  // namespace tileflow::gui
