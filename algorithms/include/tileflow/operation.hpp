/// @file
/// Operations: what the engine runs on every tile.
///
/// An operation is an immutable description of a computation. The engine calls it from many
/// threads at once, so every const member must be thread-safe; one operation object may be
/// shared by any number of concurrent runs.
///
/// Geometry contract of process(): `in` holds the input pixels of `inRect` and `out` receives
/// the pixels of `outRect`, both rectangles in image pixel coordinates, outRect inside
/// inRect. The engine guarantees that outRect lies at least radius() pixels inside inRect
/// on every side where inRect does not touch the image border. So an operation that treats
/// the edges of inRect as the image border (mirroring, reflecting...) computes exactly what
/// it would compute on the whole image: that is what makes tiled results seamless.
///
/// Operations that need global statistics (percentiles, Otsu) declare statisticsPasses() > 0
/// for the input at hand (an integer image may need fewer passes than a float one).
/// Before processing, the engine runs each pass over all tile cores: it asks for one
/// Statistics object per worker, feeds it tiles with add(), merges the workers' objects and
/// hands the merged results of all passes to later passes and to process(). merge() must be
/// associative and commutative so the result does not depend on scheduling.
///
/// Errors: outputInfo() throws tileflow::InvalidArgument for inputs the operation does not
/// support (wrong channel count, dtype); process() may throw any tileflow::Error, which fails
/// the run with the tile named in the message.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tileflow/geometry.hpp"
#include "tileflow/image.hpp"

namespace tileflow {

/// A partial result of one statistics pass, accumulated by one worker; see the file
/// description.
class Statistics {
public:
    virtual ~Statistics() = default;
    /// Adds the pixels of `core`; `in` holds `inRect`, which contains core grown by the radius.
    virtual void add(ConstImageView in, const Rect& inRect, const Rect& core) = 0;
    /// Folds another partial result of the same pass into this one.
    virtual void merge(const Statistics& other) = 0;
};
/// Merged results of statistics passes, one per pass, in pass order.
using StatisticsList = std::vector<std::unique_ptr<Statistics>>;

/// A named scalar an operation reports after a run (a threshold used, a nuclei count...).
struct Measurement {
    std::string name;  ///< e.g. "nuclei_count"
    double value = 0;  ///< in the unit the operation documents
};

/// The value of the measurement called `name` (e.g. "nuclei_count"); empty when there is none.
std::optional<double> findMeasurement(const std::vector<Measurement>& measurements,
                                      std::string_view name);

/// A computation the engine runs on every tile; see the file description.
class Operation {
public:
    virtual ~Operation() = default;

    /// The id it was created by (OperationInfo::id), used in messages.
    virtual std::string_view id() const = 0;
    /// Pixels of context each output pixel depends on, on each side.
    virtual int radius() const = 0;
    /// Channels and dtype of the result for a given input; the size is always the input's.
    virtual ImageInfo outputInfo(const ImageInfo& input) const = 0;

    /// Statistics passes a run over `input` needs before processing; none by default.
    virtual int statisticsPasses(const ImageInfo& /*input*/) const { return 0; }
    /// A fresh accumulator for `pass`; `earlier` holds the merged results of earlier passes.
    /// The default throws tileflow::Error: an operation with passes must override it.
    virtual std::unique_ptr<Statistics> newStatistics(int pass, const ImageInfo& input,
                                                      const StatisticsList& earlier) const;

    /// Computes `out` (the pixels of outRect) from `in` (the pixels of inRect); `statistics`
    /// holds the merged result of every statistics pass, empty when there are none.
    virtual void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                         const StatisticsList& statistics) const = 0;

    /// What to report after a run, from the merged statistics (RunReport::measurements);
    /// none by default.
    virtual std::vector<Measurement> measurements(const StatisticsList& statistics) const;
};

}  // namespace tileflow
