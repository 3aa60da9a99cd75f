#include "process_setup.hpp"

#include "operation_lookup.hpp"
#include "tileflow/registry.hpp"

namespace tileflow::cli {

// Conversion (no --op, or --op copy) is compiled in and needs no plugin scan.
ProcessSetup::ProcessSetup(const ProcessArguments& parsed)
    : parsed_(parsed),
      operation_(parsed.operation == "copy" ? createOperation("copy", parsed.parameters)
                                            : findOperation(parsed.operation, parsed.parameters)),
      file_(openSource(parsed.input)),
      source_(file_.get()) {
    if (parsed.level)
        source_ = &level_.emplace(*source_, *parsed.level);
    if (parsed.region)
        source_ = &region_.emplace(*source_, *parsed.region);
    if (parsed.channels)
        source_ = &channels_.emplace(*source_, *parsed.channels);
    const SourceMetadata metadata = source_->metadata();
    settings_ = {parsed.compression, parsed.outputTile, metadata.micronsPerPixel, {}};
    if (operation_->outputInfo(source_->info()).channels == source_->info().channels)
        settings_.channelNames = metadata.channelNames;
}

Sink& ProcessSetup::output(std::unique_ptr<Sink> file) {
    fileSink_ = std::move(file);
    if (!parsed_.outputDtype)
        return *fileSink_;
    return converting_.emplace(*fileSink_, *parsed_.outputDtype, parsed_.outputRange);
}

}  // namespace tileflow::cli
