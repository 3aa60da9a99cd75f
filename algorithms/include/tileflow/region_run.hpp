/// @file
/// Processing only some regions of an image, each pixel exactly as a whole-image run makes it.
///
/// @code
///   const std::vector<tileflow::Rect> mine = tileflow::shardRegions(size, 512, {2, 8});
///   tileflow::runRegions(flow, source, sink, mine);
/// @endcode
///
/// What it is for: several processes (a job array, MPI ranks) filling one output between them,
/// each computing its own share. Each region is processed with the context a whole-image run
/// gives it: the operation's radius of real neighbouring pixels in crop mode; in blend mode,
/// whole tiles of the whole image's grid around it, so that every tile touching the region
/// is the one the whole run computes. Statistics passes (percentiles, Otsu) run over the
/// whole `source` first, so a region sees the global statistics, not its own.
///
/// Coordinates: regions are in pixels of `source` (level 0), must lie inside it and must not
/// overlap. The sink gets begin() once with the whole image's output info, then write()s that
/// together cover exactly the regions (in no promised order), then commit(); a sink made for
/// a share (OmeZarrShardSink) accepts that. Callbacks see one run per region (onStart and
/// onEnd each time), after the statistics passes.
///
/// Errors and cancellation as TileFlow::run(): the sink is aborted on failure. The report sums
/// the regions' counters, keeps the largest engine peak and gives the operation's measurements
/// of the global statistics (a nuclei count is the whole image's).
#pragma once

#include <cstdint>
#include <vector>

#include "tileflow/engine.hpp"

namespace tileflow {

/// Processes `regions` of `source` into `sink`, each pixel as a whole-image run makes it; see
/// the file description.
RunReport runRegions(const TileFlow& flow, const Source& source, Sink& sink,
                     const std::vector<Rect>& regions, const RunControl& control = {});

/// The input pixels a region needs so that its result is the whole-image run's (see above):
/// `region` grown by the context, clipped to an image of `image` size.
Rect regionContext(const Rect& region, Size image, const EngineOptions& options, int radius);

}  // namespace tileflow
