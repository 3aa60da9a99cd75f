/// @file
/// What background jobs (view_job.hpp, image_job.hpp) report besides tiles.
///
/// Units as in tileflow/monitors.hpp: time in seconds, memory in bytes, a megapixel is 10^6
/// channel-pixels. Values are plain data, copied into queued signals. registerJobMetaTypes()
/// registers them (and the raw result tile type) with Qt's meta-type system; the jobs call it
/// on construction, so only code that queues these types without a job needs to.
#pragma once

#include <QMetaType>
#include <QtGlobal>
#include <memory>
#include <optional>

#include "tileflow/image.hpp"
#include "tileflow/monitors.hpp"

namespace tileflow::plugin {

/// How far a job is.
struct JobProgress {
    qint64 done = 0;   ///< tiles finished (of the current generation, for a view job)
    qint64 total = 0;  ///< tiles to do; done == total in the last report of a complete job
    double megapixelsPerSecond = 0;    ///< channel-pixels done per second so far
    std::optional<double> etaSeconds;  ///< empty until a tile is done, 0 once complete
    double elapsedSeconds = 0;         ///< since the run (a view job: its generation) began
};

/// Memory while a job runs.
struct MemorySample {
    std::optional<tileflow::ProcessMemory> process;  ///< empty where /proc is not readable
    qint64 engineBytes = 0;  ///< tile and chunk buffers the job's computations hold now
    qint64 cacheBytes = 0;   ///< bytes held by the job's result cache (0 without a cache)
};

/// Registers JobProgress, MemorySample and `std::shared_ptr<const tileflow::Image>` with Qt's
/// meta-type system, for queued connections. Idempotent.
void registerJobMetaTypes();

}  // namespace tileflow::plugin

Q_DECLARE_METATYPE(tileflow::plugin::JobProgress)
Q_DECLARE_METATYPE(tileflow::plugin::MemorySample)
Q_DECLARE_METATYPE(std::shared_ptr<const tileflow::Image>)
