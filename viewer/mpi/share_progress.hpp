// The fraction of one rank's share of a tileflow-mpi job that is done, for ProgressRelay.
//
// runRegions first runs the operation's statistics passes over the whole image (when it has
// any), then one run per region of the share, in the order given. Progress counts pixels: those
// of the statistics passes (the image area per pass), then those of the regions, each region
// by the fraction of its run done. The engine calls the callbacks one at a time, from its
// worker threads; fraction() may be called from any thread.
#pragma once

#include <atomic>
#include <vector>

#include "tileflow/engine.hpp"

namespace tileflow::mpi {

class ShareProgress final : public Callbacks {
public:
    // The regions the runs will be over, in order.
    void setRegions(const std::vector<Rect>& regions);
    // The share is done (also when it has no region).
    void finish() { fraction_ = 1.0; }
    void onStart(const RunStats& stats) override;
    void onChunkEnd(const Rect& chunk, const RunStats& stats) override;
    double fraction() const { return fraction_.load(); }

private:
    void update();

    std::vector<double> areas_;
    double regionsTotal_ = 0;
    double statisticsTotal_ = 0;  // the pixels of the statistics passes; 0 when there are none
    double statisticsDone_ = 0;
    double finished_ = 0;  // the areas of the regions before the current one
    double inRegion_ = 0;  // the pixels of the current region done
    int current_ = -1;     // the region being run; -1 before the first run starts
    std::atomic<double> fraction_{0.0};
};

}  // namespace tileflow::mpi
