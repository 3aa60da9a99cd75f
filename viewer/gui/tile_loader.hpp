// Loads display tiles in the background: reads them from the source (display_pyramid.hpp)
// and composites them into QImages (channel_composite.hpp) on a pool of worker threads.
//
// request() names the tiles the view wants now, most wanted first, and replaces the wish
// list of the previous call: queued tiles no longer wanted are dropped when their turn
// comes (before any read), and the newest request is served first (each request is a new
// generation, with a higher pool priority than every older one). A tile already on its way
// is not queued twice. Each wanted tile ends in exactly one tileLoaded or tileFailed.
//
// setChannels() changes how tiles are composited from then on; like setSource() it forgets
// every request, and tiles composited with older settings are never delivered. setSource()
// returns to the default settings (channel_composite.hpp).
//
// Threads: create, call and destroy on the GUI thread; signals are emitted there. Workers
// touch only the source, the pyramid and QImage. Destroying the loader waits for the reads
// in progress and drops their results.
// Errors: a read that throws becomes tileFailed with the message.
#pragma once

#include <QImage>
#include <QObject>
#include <QThreadPool>
#include <memory>
#include <set>
#include <vector>

#include "gui/channel_composite.hpp"
#include "gui/display_pyramid.hpp"

namespace tileflow::gui {

class TileLoader final : public QObject {
    Q_OBJECT

public:
    explicit TileLoader(int threads = 2, QObject* parent = nullptr);
    ~TileLoader() override;

    // Forgets every request; tiles of an older source are never delivered.
    void setSource(std::shared_ptr<const Source> source,
                   std::shared_ptr<const DisplayPyramid> pyramid);
    void setChannels(ChannelDisplays channels);
    void request(const std::vector<TileKey>& keys);
    bool isLoading(const TileKey& key) const { return inFlight_.contains(key); }
    std::size_t pending() const { return inFlight_.size(); }

signals:
    void tileLoaded(const tileflow::gui::TileKey& key, const QImage& tile);
    void tileFailed(const tileflow::gui::TileKey& key, const QString& message);

private:
    struct WishList;
    void forgetRequests();
    void submit(const TileKey& key);
    void finish(int serial, const TileKey& key, const QImage& tile, const QString& error);

    QThreadPool pool_;
    std::shared_ptr<WishList> wishes_;
    std::shared_ptr<const Source> source_;
    std::shared_ptr<const DisplayPyramid> pyramid_;
    ChannelDisplays channels_;
    std::set<TileKey> inFlight_;
    int serial_ = 0;  // of the source and channel settings
    int generation_ = 0;
};

}  // namespace tileflow::gui
