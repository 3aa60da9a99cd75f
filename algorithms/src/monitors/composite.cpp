#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"

namespace tileflow {

CompositeMonitor::CompositeMonitor(std::initializer_list<Callbacks*> monitors) {
    for (Callbacks* m : monitors) {
        add(m);
    }
}

void CompositeMonitor::add(Callbacks* monitor) {
    if (monitor == nullptr) {
        throw InvalidArgument("CompositeMonitor cannot forward to null");
    }
    if (monitor == this) {
        throw InvalidArgument("a CompositeMonitor cannot contain itself");
    }
    monitors_.push_back(monitor);
}

void CompositeMonitor::onStart(const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onStart(stats);
    }
}

void CompositeMonitor::onEnd(const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onEnd(stats);
    }
}

void CompositeMonitor::onError(std::string_view message, const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onError(message, stats);
    }
}

void CompositeMonitor::onChunkStart(const Rect& chunk, const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onChunkStart(chunk, stats);
    }
}

void CompositeMonitor::onChunkEnd(const Rect& chunk, const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onChunkEnd(chunk, stats);
    }
}

void CompositeMonitor::onTileStart(const Tile& tile, const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onTileStart(tile, stats);
    }
}

void CompositeMonitor::onTileEnd(const Tile& tile, double seconds, const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onTileEnd(tile, seconds, stats);
    }
}

void CompositeMonitor::onTileResult(const Tile& tile, ConstImageView input, ConstImageView result,
                                    const RunStats& stats) {
    for (Callbacks* m : monitors_) {
        m->onTileResult(tile, input, result, stats);
    }
}

}  // namespace tileflow
