// Test helper: runs a program to completion and captures its exit code, stdout and stderr.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace tileflow::testing {

struct Outcome {
    int exitCode = -1;  // -1: did not start, crashed, or killed after the timeout
    QString out, err;
    QString text() const { return out + err; }
};

// Runs `program` with `args` in `environment` (and in `workingDirectory` unless empty),
// killing it if it has not finished after `timeoutMs`.
inline Outcome runProgram(
    const QString& program, const QStringList& args,
    const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment(),
    int timeoutMs = 240000, const QString& workingDirectory = {}) {
    QProcess p;
    p.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        p.setWorkingDirectory(workingDirectory);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        p.kill();
    p.waitForFinished();
    // A program that never started reports a normal exit with code 0.
    const bool exited =
        p.error() != QProcess::FailedToStart && p.exitStatus() == QProcess::NormalExit;
    return {exited ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace tileflow::testing
