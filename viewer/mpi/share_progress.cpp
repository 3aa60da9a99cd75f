#include "share_progress.hpp"

#include <algorithm>
#include <numeric>

namespace tileflow::mpi {

void ShareProgress::setRegions(const std::vector<Rect>& regions) {
    for (const Rect& region : regions)
        areas_.push_back(static_cast<double>(region.width) * static_cast<double>(region.height));
    regionsTotal_ = std::accumulate(areas_.begin(), areas_.end(), 0.0);
}

void ShareProgress::onStart(const RunStats&) {
    statisticsDone_ = statisticsTotal_;  // runs start once the statistics passes have ended
    if (current_ >= 0)
        finished_ += areas_[static_cast<std::size_t>(current_)];
    inRegion_ = 0;
    ++current_;
    update();
}

void ShareProgress::onChunkEnd(const Rect&, const RunStats& stats) {
    if (stats.pixelsTotal <= 0)
        return;
    const auto done = static_cast<double>(stats.pixelsDone);
    if (current_ < 0) {  // a statistics pass
        statisticsTotal_ = static_cast<double>(stats.pixelsTotal);
        statisticsDone_ = done;
    } else if (static_cast<std::size_t>(current_) < areas_.size()) {
        inRegion_ = done / static_cast<double>(stats.pixelsTotal) *
                    areas_[static_cast<std::size_t>(current_)];
    }
    update();
}

void ShareProgress::update() {
    const double total = statisticsTotal_ + regionsTotal_;
    if (total > 0)
        fraction_ = std::min(1.0, (statisticsDone_ + finished_ + inRegion_) / total);
}

}  // namespace tileflow::mpi
