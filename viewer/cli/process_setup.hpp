// What `tileflow process` and `tileflow-mpi process` prepare from their arguments before they
// run: the operation, the input with the level, region and channels asked for, the output
// settings, and the sink that writes the output (with a dtype conversion when asked for).
// Throws what opening the input or finding the operation throws.
#pragma once

#include <memory>
#include <optional>

#include "arguments.hpp"
#include "tileflow/converting_sink.hpp"
#include "tileflow/open.hpp"
#include "tileflow/operation.hpp"
#include "tileflow/source_views.hpp"

namespace tileflow::cli {

class ProcessSetup {
public:
    explicit ProcessSetup(const ProcessArguments& parsed);
    ProcessSetup(const ProcessSetup&) = delete;
    ProcessSetup& operator=(const ProcessSetup&) = delete;

    const std::shared_ptr<const Operation>& operation() const { return operation_; }
    const Source& source() const { return *source_; }
    // The pixel size of what is processed and, when the operation keeps the channels, their
    // names, with the compression and tile (chunk) size asked for.
    const OutputSettings& settings() const { return settings_; }
    // The sink to run into: `file`, behind the dtype conversion when one was asked for. This
    // object keeps `file` and owns the conversion.
    Sink& output(std::unique_ptr<Sink> file);

private:
    const ProcessArguments& parsed_;
    std::shared_ptr<const Operation> operation_;
    std::unique_ptr<Source> file_;
    std::optional<LevelSource> level_;
    std::optional<RegionSource> region_;
    std::optional<ChannelSource> channels_;
    const Source* source_ = nullptr;
    OutputSettings settings_;
    std::unique_ptr<Sink> fileSink_;
    std::optional<ConvertingSink> converting_;
};

}  // namespace tileflow::cli
