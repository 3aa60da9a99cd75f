// Test helper: runs the tileflow binary and captures its exit code, stdout and stderr.
// The including test defines TILEFLOW_BINARY (the binary's path) as a compile definition.
#pragma once

#include <optional>

#include "process_run.hpp"

#ifndef TILEFLOW_BINARY
#error "cli_runner.hpp needs TILEFLOW_BINARY, the path of the tileflow binary"
#endif

namespace tileflow::testing {

// Runs the binary with `args`, waiting up to `timeoutMs`; with `environment`, the binary gets
// that environment instead of inheriting this process's.
inline Outcome runTileflow(const QStringList& args, int timeoutMs = 300000,
                           const std::optional<QProcessEnvironment>& environment = std::nullopt) {
    return runProgram(QStringLiteral(TILEFLOW_BINARY), args,
                      environment.value_or(QProcessEnvironment::systemEnvironment()), timeoutMs);
}

}  // namespace tileflow::testing
