// The tileflow batch subcommands. Each returns the process exit status and throws
// tileflow::Error for failures, which main() turns into a one-line message.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tileflow::cli {

int runProcess(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runFinalize(const std::vector<std::string>& args, std::ostream& out);
int runBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runOps(std::ostream& out);
int runInfo(const std::vector<std::string>& args, std::ostream& out);
// Needs a QCoreApplication for the application folder; makes one when there is none.
int runPlugins(const std::vector<std::string>& args, std::ostream& out);

}  // namespace tileflow::cli
