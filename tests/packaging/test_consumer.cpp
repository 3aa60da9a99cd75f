// The installed package, used the way a third party uses it: `cmake --install` into a
// scratch prefix, examples/external_operation_plugin configured with only that prefix and
// built, the installed `tileflow` loading the plugin next to the installed built-in one and
// running its operation, the reference host (tests/reference_host) loading it through the
// host extension, and the installed pkg-config file pointing into the prefix.
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "process_run.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/open.hpp"
#include "tileflow/source.hpp"

using tileflow::testing::Outcome;
using tileflow::testing::runProgram;

namespace {

QString canonical(const QString& path) {
    return QFileInfo(path).canonicalFilePath();
}

}  // namespace

class TestConsumer : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString prefix_, pluginBuild_;

    QString at(const QString& relative) const { return QDir(scratch_.path()).filePath(relative); }

    // The installed tileflow, seeing the example plugin and nothing of this machine's user.
    Outcome runInstalled(const QStringList& args) const {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TILEFLOW_PLUGIN_PATH"), pluginBuild_);
        env.insert(QStringLiteral("XDG_DATA_HOME"), at(QStringLiteral("data")));
        env.remove(QStringLiteral("LD_LIBRARY_PATH"));
        return runProgram(QDir(prefix_).filePath(QStringLiteral("bin/tileflow")), args, env);
    }

private slots:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        prefix_ = at(QStringLiteral("prefix"));
        pluginBuild_ = at(QStringLiteral("plugin-build"));
        const Outcome r = runProgram(CMAKE_EXE, {"--install", BUILD_DIR, "--prefix", prefix_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
    }

    void installsTheLayout() {
        for (const char* file :
             {"bin/tileflow", "lib/libtileflow.so", "lib/libtileflow_plugin.so",
              "lib/tileflow/plugins/libtileflow_builtin_operations.so",
              "include/tileflow/engine.hpp", "include/tileflow/plugin/operation_plugin.hpp",
              "lib/cmake/TileFlow/TileFlowConfig.cmake",
              "lib/cmake/TileFlow/TileFlowConfigVersion.cmake",
              "lib/cmake/TileFlow/TileFlowTargets.cmake", "lib/pkgconfig/tileflow.pc",
              "lib/pkgconfig/tileflow-plugin.pc"}) {
            QVERIFY2(QFileInfo::exists(QDir(prefix_).filePath(file)), file);
        }
        // Test programs stay in the build tree.
        for (QDirIterator it(prefix_, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QString file = it.next();
            QVERIFY2(!it.fileName().startsWith(QLatin1String("test_")), qPrintable(file));
        }
    }

    void buildsTheExamplePlugin() {
        QStringList configure{"-S", EXAMPLE_DIR, "-B", pluginBuild_, "-G", GENERATOR,
                              // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): joins a macro
                              "-DCMAKE_PREFIX_PATH=" + prefix_, "-DCMAKE_BUILD_TYPE=" BUILD_TYPE,
                              "-DCMAKE_CXX_COMPILER=" CXX_COMPILER,
                              // The installed headers must be warning-free for a consumer
                              // (-Wrestrict: GCC bug 105329 in libstdc++'s strings at -O3).
                              "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror -Wno-restrict"};
        if (!QString(MAKE_PROGRAM).isEmpty())
            configure << "-DCMAKE_MAKE_PROGRAM=" MAKE_PROGRAM;
        if (!QString(CXX_LAUNCHER).isEmpty())
            configure << "-DCMAKE_CXX_COMPILER_LAUNCHER=" CXX_LAUNCHER;
        Outcome r = runProgram(CMAKE_EXE, configure);
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));

        // The package came from the scratch prefix, not from this build tree or the system.
        QFile cache(QDir(pluginBuild_).filePath(QStringLiteral("CMakeCache.txt")));
        QVERIFY(cache.open(QIODevice::ReadOnly));
        const QRegularExpressionMatch dir =
            QRegularExpression(QStringLiteral("^TileFlow_DIR:PATH=(.*)$"),
                               QRegularExpression::MultilineOption)
                .match(QString::fromUtf8(cache.readAll()));
        QVERIFY(dir.hasMatch());
        QCOMPARE(canonical(dir.captured(1)),
                 canonical(QDir(prefix_).filePath(QStringLiteral("lib/cmake/TileFlow"))));

        r = runProgram(CMAKE_EXE, {"--build", pluginBuild_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QVERIFY(QFileInfo::exists(
            QDir(pluginBuild_).filePath(QStringLiteral("libinvert_operation_plugin.so"))));
    }

    void installedHostLoadsBothPlugins() {
        const Outcome r = runInstalled({"plugins", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QMap<QString, QJsonObject> byName;
        for (const QJsonValue value : report.value(QLatin1String("plugins")).toArray())
            byName.insert(value[QLatin1String("name")].toString(), value.toObject());

        const QJsonObject builtin = byName.value(QStringLiteral("builtin"));
        QCOMPARE(builtin.value(QLatin1String("status")).toString(), QStringLiteral("loaded"));
        // Found by the installed binary in its own tree, ../lib/tileflow/plugins.
        QCOMPARE(canonical(QFileInfo(builtin.value(QLatin1String("path")).toString()).path()),
                 canonical(QDir(prefix_).filePath(QStringLiteral("lib/tileflow/plugins"))));

        const QJsonObject example = byName.value(QStringLiteral("invert-example"));
        QVERIFY2(example.value(QLatin1String("status")).toString() == QLatin1String("loaded"),
                 qPrintable(r.out));
        QCOMPARE(example.value(QLatin1String("operations")).toArray(),
                 QJsonArray{QStringLiteral("invert")});
        QCOMPARE(canonical(QFileInfo(example.value(QLatin1String("path")).toString()).path()),
                 canonical(pluginBuild_));

        const Outcome ops = runInstalled({"ops"});
        QVERIFY2(ops.exitCode == 0, qPrintable(ops.text()));
        QVERIFY2(ops.out.contains(QStringLiteral("plugin invert-example 1.0")),
                 qPrintable(ops.out));
        QVERIFY2(ops.out.contains(QStringLiteral("--param scale=<1>  [0, 10]")),
                 qPrintable(ops.out));
    }

    void installedHostRunsTheExampleOperation() {
        const QString input = QStringLiteral("synthetic:64x48x1:u8");
        const QString output = at(QStringLiteral("out.npy"));
        Outcome r = runInstalled({"process", input, output, "--op", "invert", "--tile", "16"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));

        const tileflow::Image expected =
            tileflow::readImage(*tileflow::openSource(input.toStdString()));
        const tileflow::Image got = tileflow::readNpy(output.toStdString());
        QCOMPARE(got.info(), expected.info());
        int nonzero = 0;
        for (std::int64_t y = 0; y < got.height(); ++y) {
            const std::uint8_t* in = expected.view().row<std::uint8_t>(0, y);
            const std::uint8_t* out = got.view().row<std::uint8_t>(0, y);
            for (std::int64_t x = 0; x < got.width(); ++x) {
                if (out[x] != 255 - in[x])
                    QFAIL(qPrintable(QStringLiteral("pixel (%1, %2): %3, expected 255 - %4")
                                         .arg(x)
                                         .arg(y)
                                         .arg(out[x])
                                         .arg(in[x])));
                nonzero += in[x] != 0 ? 1 : 0;
            }
        }
        QVERIFY(nonzero > 0);  // the synthetic input is not blank

        // Parameters are checked against the plugin's ranges.
        r = runInstalled({"process", input, at(QStringLiteral("bad.npy")), "--op", "invert",
                          "--param", "scale=11"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("'scale' must be in [0, 10]")), qPrintable(r.err));
    }

    // The reference host (a foreign viewer, from this build tree) loads the host extension,
    // which finds the example plugin built against the installed package and runs it. The
    // module's libtileflow_plugin.so.0 and libtileflow.so.0 resolve to the copies the host
    // process has already loaded (same sonames), not to the prefix's through its RUNPATH.
    void referenceHostRunsTheExampleOperation() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TILEFLOW_EXTERNAL_PLUGIN_DIR"), pluginBuild_);
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), at(QStringLiteral("data")));
        env.remove(QStringLiteral("TILEFLOW_PLUGIN_PATH"));
        env.remove(QStringLiteral("LD_LIBRARY_PATH"));
        const Outcome r = runProgram(
            REFERENCE_HOST, {QStringLiteral("externalOperationFromInstalledPackage")}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        // A skip exits with 0 too, so the pass itself must be reported.
        QVERIFY2(r.out.contains(QStringLiteral(
                     "PASS   : TestReferenceHost::externalOperationFromInstalledPackage()")),
                 qPrintable(r.text()));
    }

    void pkgConfigPointsIntoThePrefix() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PKG_CONFIG_PATH"),
                   QDir(prefix_).filePath(QStringLiteral("lib/pkgconfig")));
        const Outcome r = runProgram(PKG_CONFIG, {"--cflags", "--libs", "tileflow"}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        // The files locate the prefix from their own folder, so compare canonical paths.
        QStringList includes, libDirs, libs;
        for (const QString& flag : r.out.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QString value = flag.mid(2).trimmed();
            if (flag.startsWith(QLatin1String("-I")))
                includes << canonical(value);
            else if (flag.startsWith(QLatin1String("-L")))
                libDirs << canonical(value);
            else if (flag.startsWith(QLatin1String("-l")))
                libs << value;
        }
        QCOMPARE(includes,
                 QStringList{canonical(QDir(prefix_).filePath(QStringLiteral("include")))});
        QCOMPARE(libDirs, QStringList{canonical(QDir(prefix_).filePath(QStringLiteral("lib")))});
        QCOMPARE(libs, QStringList{QStringLiteral("tileflow")});

        const Outcome plugin = runProgram(PKG_CONFIG, {"--libs", "tileflow-plugin"}, env);
        QVERIFY2(plugin.exitCode == 0, qPrintable(plugin.text()));
        QVERIFY2(plugin.out.contains(QStringLiteral("-ltileflow_plugin")), qPrintable(plugin.out));
    }
};

QTEST_GUILESS_MAIN(TestConsumer)
#include "test_consumer.moc"
