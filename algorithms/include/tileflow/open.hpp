// Opening images and creating outputs by name: the one place that knows which reader or
// writer serves which file.
//
// openSource() accepts a file path (.npy now; TIFF, OME-TIFF, vendor slides and zarr stores
// as their readers land) or a synthetic slide spec "synthetic:WxHxC[:dtype][:seed]".
// createSink() picks the writer from the output's extension. Both throw
// tileflow::InvalidArgument for names they do not serve and tileflow::IoError for files
// that cannot be read or created, naming the file.
#pragma once

#include <memory>
#include <string>

#include "tileflow/source.hpp"

namespace tileflow {

std::unique_ptr<Source> openSource(const std::string& name);
std::unique_ptr<Sink> createSink(const std::string& path);

}  // namespace tileflow
