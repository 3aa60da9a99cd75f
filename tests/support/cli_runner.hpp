// Test helper: runs the tileflow binary and captures its exit code, stdout and stderr.
// The including test defines TILEFLOW_BINARY (the binary's path) as a compile definition.
#pragma once

#include "process_run.hpp"

#ifndef TILEFLOW_BINARY
#error "cli_runner.hpp needs TILEFLOW_BINARY, the path of the tileflow binary"
#endif

namespace tileflow::testing {

// Runs the binary with `args` in `environment` (by default this process's), waiting up to
// `timeoutMs`.
inline Outcome runTileflow(
    const QStringList& args, int timeoutMs = 300000,
    const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
    return runProgram(QStringLiteral(TILEFLOW_BINARY), args, environment, timeoutMs);
}

}  // namespace tileflow::testing
