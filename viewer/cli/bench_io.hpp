// tileflow bench --io: out-of-core throughput, tiled TIFF to tiled TIFF on disk.
#pragma once

#include <iosfwd>

#include "arguments.hpp"

namespace tileflow::cli {

int runIoBench(const BenchArguments& args, std::ostream& out, std::ostream& err);

}  // namespace tileflow::cli
