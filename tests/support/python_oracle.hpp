// Tests that use NumPy/SciPy through Debian's /usr/bin/python3 as an independent oracle.
//
// TILEFLOW_REQUIRE_PYTHON("numpy, scipy.ndimage") skips the current test when the modules
// are missing, except in CI (CI=true), where scripts/setup.sh installs them: there a
// missing oracle fails the test instead of quietly skipping the check.
#pragma once

#include <QProcess>
#include <QtTest>

namespace tileflow::testing {

inline const char* const kPython = "/usr/bin/python3";

inline bool pythonHas(const QString& modules) {
    QProcess p;
    p.start(kPython, {"-c", "import " + modules});
    return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// Runs a Python script with arguments; returns its exit code (-1 when it did not finish
// within five minutes or crashed) and fills `output` with its stdout and stderr.
inline int runPython(const QString& script, const QStringList& args, QString& output) {
    QProcess python;
    python.setProcessChannelMode(QProcess::MergedChannels);
    python.start(kPython, QStringList{"-c", script} + args);
    if (!python.waitForFinished(300000))
        return -1;
    output = QString::fromUtf8(python.readAll());
    return python.exitStatus() == QProcess::NormalExit ? python.exitCode() : -1;
}

}  // namespace tileflow::testing

#define TILEFLOW_REQUIRE_PYTHON(modules)                  \
    do {                                                  \
        if (!tileflow::testing::pythonHas(modules)) {     \
            if (qEnvironmentVariable("CI") == "true")     \
                QFAIL("/usr/bin/python3 lacks " modules); \
            QSKIP("/usr/bin/python3 lacks " modules);     \
        }                                                 \
    } while (false)
