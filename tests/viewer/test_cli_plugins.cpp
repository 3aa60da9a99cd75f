// `tileflow plugins`: the built-in operations module is found beside the binary, and
// modules in TILEFLOW_PLUGIN_PATH are listed, refused ones with their reason.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_runner.hpp"

using tileflow::testing::Outcome;

namespace {

// Runs the binary with TILEFLOW_PLUGIN_PATH set to `pluginPath` and a user data folder of
// its own, so plugins installed on this machine do not leak in.
Outcome runTileflow(const QStringList& args, const QString& pluginPath, const QString& dataHome) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TILEFLOW_PLUGIN_PATH"), pluginPath);
    env.insert(QStringLiteral("XDG_DATA_HOME"), dataHome);
    return tileflow::testing::runTileflow(args, 60000, env);
}

}  // namespace

class TestCliPlugins : public QObject {
    Q_OBJECT

    QTemporaryDir dataHome_;
    QTemporaryDir extra_;

private slots:
    void initTestCase() {
        QVERIFY(dataHome_.isValid() && extra_.isValid());
        QFile broken(QDir(extra_.path()).filePath(QStringLiteral("libbroken.so")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a shared library\n");
    }

    void listsTheBuiltinOperations() {
        const Outcome r = runTileflow({QStringLiteral("plugins")}, {}, dataHome_.path());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QStringLiteral("loaded   builtin ")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("operations: sobel, gaussian")), qPrintable(r.out));
        QVERIFY(r.err.isEmpty());
    }

    void listsRefusedPluginsAsJson() {
        const Outcome r = runTileflow({QStringLiteral("plugins"), QStringLiteral("--json")},
                                      extra_.path(), dataHome_.path());
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonArray folders = report.value(QLatin1String("folders")).toArray();
        QCOMPARE(folders.first().toString(), QFileInfo(extra_.path()).canonicalFilePath());

        bool sawBuiltin = false, sawBroken = false;
        for (const QJsonValue value : report.value(QLatin1String("plugins")).toArray()) {
            const QJsonObject plugin = value.toObject();
            const QString status = plugin.value(QLatin1String("status")).toString();
            if (plugin.value(QLatin1String("name")).toString() == QLatin1String("builtin")) {
                sawBuiltin = true;
                QCOMPARE(status, QStringLiteral("loaded"));
                QCOMPARE(plugin.value(QLatin1String("iid")).toString(),
                         QStringLiteral("org.tileflow.OperationPlugin/1.0"));
                QCOMPARE(plugin.value(QLatin1String("operations")).toArray().size(), 8);
            }
            if (plugin.value(QLatin1String("path"))
                    .toString()
                    .endsWith(QLatin1String("/libbroken.so"))) {
                sawBroken = true;
                QCOMPARE(status, QStringLiteral("refused"));
                QVERIFY(!plugin.value(QLatin1String("reason")).toString().isEmpty());
            }
        }
        QVERIFY(sawBuiltin);
        QVERIFY(sawBroken);
    }

    void rejectsUnknownOptions() {
        const Outcome r = runTileflow({QStringLiteral("plugins"), QStringLiteral("--plugin-path")},
                                      {}, dataHome_.path());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("unknown option '--plugin-path'")),
                 qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliPlugins)
#include "test_cli_plugins.moc"
