// Test helper: runs the tileflow binary and captures its exit code, stdout and stderr.
// The including test defines TILEFLOW_BINARY (the binary's path) as a compile definition.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <optional>

#ifndef TILEFLOW_BINARY
#error "cli_runner.hpp needs TILEFLOW_BINARY, the path of the tileflow binary"
#endif

namespace tileflow::testing {

struct Outcome {
    int exitCode = -1;  // -1: crashed or did not finish within the timeout
    QString out, err;
};

// Runs the binary with `args`, waiting up to `timeoutMs`; with `environment`, the binary gets
// that environment instead of inheriting this process's.
inline Outcome runTileflow(const QStringList& args, int timeoutMs = 300000,
                           const std::optional<QProcessEnvironment>& environment = std::nullopt) {
    QProcess p;
    if (environment)
        p.setProcessEnvironment(*environment);
    p.start(QStringLiteral(TILEFLOW_BINARY), args);
    p.waitForFinished(timeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace tileflow::testing
