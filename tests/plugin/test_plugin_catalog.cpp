// Plugin discovery: the built-in operations module loads and matches the library; modules
// that are damaged, foreign, of an incompatible version, without metadata, unloadable or
// not implementing their interface are refused with a reason, without crashing.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/plugin/operation_plugin.hpp"
#include "tileflow/plugin/plugin_catalog.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using tileflow::plugin::OperationPlugin;
using tileflow::plugin::PluginCatalog;
using tileflow::plugin::PluginRecord;

namespace {

const QString kBuiltinFile = QStringLiteral("libtileflow_builtin_operations.so");

bool copyInto(const QString& file, const QDir& folder, const QString& name = {}) {
    return QFile::copy(file, folder.filePath(name.isEmpty() ? QFileInfo(file).fileName() : name));
}

}  // namespace

class TestPluginCatalog : public QObject {
    Q_OBJECT

    QTemporaryDir folder_;
    PluginCatalog catalog_;

    const PluginRecord* find(const QString& fileName) const {
        for (const PluginRecord& record : catalog_.plugins()) {
            if (QFileInfo(record.path).fileName() == fileName)
                return &record;
        }
        return nullptr;
    }

    OperationPlugin* builtin() const {
        const PluginRecord* record = find(kBuiltinFile);
        return record != nullptr ? record->operationPlugin : nullptr;
    }

private slots:
    // One folder with the built-in module, every refused test module and two damaged files.
    void initTestCase() {
        QVERIFY(folder_.isValid());
        const QDir dir(folder_.path());
        QVERIFY(copyInto(QStringLiteral(BUILTIN_PLUGIN), dir, kBuiltinFile));
        const QDir testPlugins(QStringLiteral(TEST_PLUGIN_DIR));
        for (const QFileInfo& module : testPlugins.entryInfoList(QDir::Files))
            QVERIFY(copyInto(module.filePath(), dir));

        QFile text(dir.filePath(QStringLiteral("libbroken.so")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("this is not a shared library\n");
        text.close();
        QFile module(QStringLiteral(BUILTIN_PLUGIN));
        QVERIFY(module.open(QIODevice::ReadOnly));
        QFile truncated(dir.filePath(QStringLiteral("libtruncated.so")));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        // Cut inside the ELF program headers: with debug information (sanitizer builds) the
        // first half of a module still holds everything a loader reads.
        truncated.write(module.read(256));
        truncated.close();

        catalog_.scan({folder_.path()});
    }

    void loadsTheBuiltinOperations() {
        const PluginRecord* record = find(kBuiltinFile);
        QVERIFY(record != nullptr);
        QVERIFY2(record->status == PluginRecord::Status::Loaded, qPrintable(record->reason));
        QCOMPARE(record->name, QStringLiteral("builtin"));
        QCOMPARE(record->version, QStringLiteral(TILEFLOW_VERSION));
        QCOMPARE(record->iid, QStringLiteral(TILEFLOW_OPERATION_PLUGIN_IID));
        QVERIFY(record->reason.isEmpty());
        QVERIFY(record->instance != nullptr);
        QCOMPARE(catalog_.operationPlugins(), std::vector<OperationPlugin*>{builtin()});
        QCOMPARE(catalog_.hostExtension(QStringLiteral("builtin")), nullptr);

        std::vector<std::string> ids;
        for (const OperationInfo& info : builtin()->operations())
            ids.push_back(info.id);
        QCOMPARE(ids, (std::vector<std::string>{"sobel", "gaussian", "stretch", "threshold",
                                                "nuclei", "tissue", "ratio", "copy"}));
    }

    void builtinSobelMatchesTheLibrary() {
        QVERIFY(builtin() != nullptr);
        const Image image = testing::randomImage(DType::F32, 2, 97, 61, 3);
        TileFlow flow({.tile = {32, 32}});
        const Image fromPlugin = flow.configure(builtin()->create("sobel", {})).run(image);
        const Image fromLibrary = flow.configure(createOperation("sobel")).run(image);
        QVERIFY(samePixels(fromPlugin, fromLibrary));
    }

    // The static description of each operation agrees with what its kernel does.
    void builtinDescriptionsMatchTheKernels() {
        QVERIFY(builtin() != nullptr);
        const ImageInfo input{{64, 48}, 3, DType::U16};
        for (const OperationInfo& info : builtin()->operations()) {
            const auto op = builtin()->create(info.id, {});
            const ImageInfo output = op->outputInfo(input);
            const QByteArray id = QByteArray::fromStdString(info.id);
            QVERIFY2(output.channels ==
                         (info.outputChannels == 0 ? input.channels : info.outputChannels),
                     id);
            QVERIFY2(output.dtype == info.outputDType.value_or(input.dtype), id);
            QVERIFY2(
                (op->statisticsPasses(input) > 0) == (info.needsStatistics != NeedsStatistics::No),
                id);
        }
        const auto fixed = builtin()->create("threshold", {{"method", "fixed"}});
        QCOMPARE(fixed->statisticsPasses(input), 0);
    }

    void builtinCreateRefusesBadRequests() {
        QVERIFY(builtin() != nullptr);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, builtin()->create("nope", {}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, builtin()->create("gaussian", {{"sigma", "x"}}));
    }

    void refusesWithAReason_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("major version") << "libmajor_version_plugin.so"
                                       << "built for OperationPlugin 2.0, but this host provides "
                                          "OperationPlugin 1.0";
        QTest::newRow("minor version") << "libminor_version_plugin.so"
                                       << "built for OperationPlugin 1.1, but this host provides "
                                          "OperationPlugin 1.0";
        QTest::newRow("foreign IID")
            << "libforeign_plugin.so"
            << "not a TileFlow plugin: its IID 'org.example.ImageFilter/1.0'";
        QTest::newRow("text file") << "libbroken.so"
                                   << "not a Qt plugin or damaged";
        QTest::newRow("truncated") << "libtruncated.so"
                                   << "not a Qt plugin or damaged";
        QTest::newRow("no metadata") << "libno_metadata_plugin.so"
                                     << "no JSON metadata";
        QTest::newRow("invalid metadata") << "libinvalid_metadata_plugin.so"
                                          << "invalid JSON metadata: \"name\" must be a non-empty "
                                             "string";
        QTest::newRow("load error") << "libmissing_dependency_plugin.so"
                                    << "cannot load: ";
        QTest::newRow("no interface") << "libno_interface_plugin.so"
                                      << "(NoInterfacePlugin) does not implement "
                                         "org.tileflow.OperationPlugin/1.0";
    }
    void refusesWithAReason() {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const PluginRecord* record = find(file);
        QVERIFY2(record != nullptr, qPrintable(file));
        QCOMPARE(record->status, PluginRecord::Status::Refused);
        QVERIFY2(record->reason.contains(reason), qPrintable(record->reason));
        QVERIFY(!record->reason.contains(QLatin1Char('\n')));
        QCOMPARE(record->operationPlugin, nullptr);
        QCOMPARE(record->hostExtension, nullptr);
    }

    void loadErrorNamesTheMissingLibrary() {
        const PluginRecord* record = find(QStringLiteral("libmissing_dependency_plugin.so"));
        QVERIFY(record != nullptr);
        QVERIFY2(record->reason.contains(QStringLiteral("libvanishing_dependency.so")),
                 qPrintable(record->reason));
    }

    void refusesASecondPluginOfTheSameName() {
        QTemporaryDir other;
        QVERIFY(copyInto(QStringLiteral(BUILTIN_PLUGIN), QDir(other.path()),
                         QStringLiteral("libcopy_of_builtin.so")));
        catalog_.scan({other.path()});
        const PluginRecord* record = find(QStringLiteral("libcopy_of_builtin.so"));
        QVERIFY(record != nullptr);
        QCOMPARE(record->status, PluginRecord::Status::Refused);
        QVERIFY2(
            record->reason.contains(QStringLiteral("a plugin named 'builtin' is already loaded")),
            qPrintable(record->reason));
        QCOMPARE(catalog_.operationPlugins().size(), std::size_t{1});
    }

    void examinesEachFileOnce() {
        const std::size_t before = catalog_.plugins().size();
        catalog_.scan({folder_.path(), folder_.path()});
        QCOMPARE(catalog_.plugins().size(), before);
    }

    void searchesTheEnvironmentFoldersFirst() {
        QTemporaryDir a, b;
        const QString missing = a.path() + QStringLiteral("/missing");
        qputenv("TILEFLOW_PLUGIN_PATH", (a.path() + ':' + missing + "::" + b.path()).toLocal8Bit());
        const QStringList paths = PluginCatalog::searchPaths();
        qunsetenv("TILEFLOW_PLUGIN_PATH");
        QVERIFY(paths.size() >= 2);
        QCOMPARE(paths.at(0), QFileInfo(a.path()).canonicalFilePath());
        QCOMPARE(paths.at(1), QFileInfo(b.path()).canonicalFilePath());
        QVERIFY(!paths.contains(missing));
    }
};

QTEST_GUILESS_MAIN(TestPluginCatalog)
#include "test_plugin_catalog.moc"
