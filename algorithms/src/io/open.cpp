#include "tileflow/open.hpp"

#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/synthetic.hpp"

namespace tileflow {

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::unique_ptr<Source> openSource(const std::string& name) {
    if (SyntheticSpec::matches(name))
        return std::make_unique<SyntheticSource>(SyntheticSpec::parse(name));
    if (endsWith(name, ".npy"))
        return std::make_unique<NpySource>(name);
    throw InvalidArgument("cannot read '" + name +
                          "': inputs are .npy files or synthetic:WxHxC[:dtype][:seed]");
}

std::unique_ptr<Sink> createSink(const std::string& path, const OutputSettings& settings) {
    if (endsWith(path, ".npy")) {
        if (settings.compression) {
            throw InvalidArgument(".npy files are not compressed: drop the compression setting");
        }
        return std::make_unique<NpySink>(path);
    }
    throw InvalidArgument("cannot write '" + path + "': outputs are .npy files");
}

}  // namespace tileflow
