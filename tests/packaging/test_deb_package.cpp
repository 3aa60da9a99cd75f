// The Debian package: `cpack -G DEB` over this build tree, its control fields read back with
// dpkg-deb, its contents unpacked with `dpkg -x` into a scratch root (no installation on
// this machine), and the unpacked tileflow run from there on a sample: it must find the
// package's own libraries and plugins, not this build tree's.
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>

#include "process_run.hpp"
#include "tileflow/image.hpp"
#include "tileflow/npy.hpp"

using tileflow::testing::Outcome;

namespace {

// Runs `program` seeing nothing of this build tree: no library or plugin path of its own.
Outcome run(const QString& program, const QStringList& args) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("LD_LIBRARY_PATH"));
    environment.remove(QStringLiteral("TILEFLOW_PLUGIN_PATH"));
    return tileflow::testing::runProgram(program, args, environment);
}

}  // namespace

class TestDebPackage : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString deb_, root_;

    QString at(const QString& relative) const { return QDir(scratch_.path()).filePath(relative); }
    QString inRoot(const QString& relative) const { return QDir(root_).filePath(relative); }

private slots:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        const Outcome packed =
            // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): BUILD_DIR is a string macro
            run(CPACK_EXE, {"-G", "DEB", "--config", BUILD_DIR "/CPackConfig.cmake", "-B",
                            at(QStringLiteral("package"))});
        QVERIFY2(packed.exitCode == 0, qPrintable(packed.text()));
        const QStringList debs =
            QDir(at(QStringLiteral("package"))).entryList({QStringLiteral("*.deb")}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        deb_ = QDir(at(QStringLiteral("package"))).filePath(debs.front());
        root_ = at(QStringLiteral("root"));
        const Outcome unpacked = run(QStringLiteral("dpkg"), {"-x", deb_, root_});
        QVERIFY2(unpacked.exitCode == 0, qPrintable(unpacked.text()));
    }

    void declaresItsDependencies() {
        const Outcome fields =
            run(QStringLiteral("dpkg-deb"), {"-f", deb_, "Package", "Version", "Depends"});
        QVERIFY2(fields.exitCode == 0, qPrintable(fields.text()));
        QVERIFY2(fields.out.contains(QStringLiteral("Package: tileflow")), qPrintable(fields.out));
        QVERIFY2(fields.out.contains(QStringLiteral("Version: " TILEFLOW_VERSION)),
                 qPrintable(fields.out));
        // What the binaries link, as dpkg-shlibdeps names the Debian 12 packages.
        for (const char* package : {"libqt6widgets6", "libqt6core6", "libtiff6", "libopenslide0",
                                    "libgomp1", "libstdc++6"}) {
            QVERIFY2(fields.out.contains(QString::fromLatin1(package)),
                     qPrintable(QStringLiteral("%1 missing from %2").arg(package, fields.out)));
        }
    }

    void holdsTheWholeProduct() {
        const QString lib = QStringLiteral("usr/" INSTALL_LIBDIR "/");
        for (const QString& file :
             {QStringLiteral("usr/bin/tileflow"), lib + "libtileflow.so.0",
              lib + "libtileflow_plugin.so.0",
              lib + "tileflow/plugins/libtileflow_builtin_operations.so",
              lib + "tileflow/plugins/libtileflow_processing_extension.so",
              QStringLiteral("usr/include/tileflow/engine.hpp"),
              QStringLiteral("usr/include/tileflow/plugin/operation_plugin.hpp"),
              lib + "cmake/TileFlow/TileFlowConfig.cmake", lib + "pkgconfig/tileflow.pc",
              QStringLiteral("usr/share/applications/tileflow.desktop"),
              QStringLiteral("usr/share/icons/hicolor/scalable/apps/tileflow.svg"),
              QStringLiteral("usr/share/doc/tileflow/copyright")}) {
            QVERIFY2(QFileInfo::exists(inRoot(file)), qPrintable(file));
        }
        QFile desktop(inRoot(QStringLiteral("usr/share/applications/tileflow.desktop")));
        QVERIFY(desktop.open(QIODevice::ReadOnly));
        const QByteArray entry = desktop.readAll();
        QVERIFY(entry.contains("Exec=tileflow"));
        QVERIFY(entry.contains("Icon=tileflow"));
    }

    void unpackedBinaryRunsOnASample() {
        // A 3 x 2 u16 image of one channel, as NumPy would store it.
        tileflow::Image sample(tileflow::ImageInfo{{3, 2}, 1, tileflow::DType::U16});
        const QString npy = at(QStringLiteral("sample.npy"));
        tileflow::writeNpy(npy.toStdString(), sample.view());

        const QString binary = inRoot(QStringLiteral("usr/bin/tileflow"));
        const Outcome info = run(binary, {"info", npy});
        QVERIFY2(info.exitCode == 0, qPrintable(info.text()));
        QVERIFY2(info.out.contains(QStringLiteral("size        3 x 2")), qPrintable(info.out));

        // Its libraries are the package's: the loader resolves them through the binary's RPATH.
        const Outcome libraries = run(QStringLiteral("ldd"), {binary});
        QVERIFY2(libraries.exitCode == 0, qPrintable(libraries.text()));
        const QString packagedLib =
            QFileInfo(inRoot(QStringLiteral("usr/" INSTALL_LIBDIR))).canonicalFilePath();
        for (const char* name : {"libtileflow.so.0 => ", "libtileflow_plugin.so.0 => "}) {
            const qsizetype at = libraries.out.indexOf(QString::fromLatin1(name));
            QVERIFY2(at >= 0, qPrintable(libraries.out));
            const QString resolved =
                libraries.out.mid(at + qsizetype(std::strlen(name))).section(' ', 0, 0);
            QVERIFY2(QFileInfo(resolved).canonicalFilePath().startsWith(packagedLib),
                     qPrintable(resolved));
        }

        // And its plugins: the built-in operations come from the package's plugin folder.
        const Outcome plugins = run(binary, {"plugins"});
        QVERIFY2(plugins.exitCode == 0, qPrintable(plugins.text()));
        QVERIFY2(plugins.out.contains(QStringLiteral("sobel")), qPrintable(plugins.out));
        QVERIFY2(plugins.out.contains(root_), qPrintable(plugins.out));
    }

#ifdef PYTHON_EXE
    void unpackedPythonPackageImports() {
        const QString packages = inRoot(QStringLiteral("usr/" PYTHON_INSTALL_DIR));
        QVERIFY2(QFileInfo::exists(packages + "/tileflow/__init__.py"), qPrintable(packages));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PYTHONPATH"), packages);
        environment.insert(QStringLiteral("LD_LIBRARY_PATH"),
                           inRoot(QStringLiteral("usr/" INSTALL_LIBDIR)));
        // The Sobel of a constant image is zero everywhere.
        const Outcome python = tileflow::testing::runProgram(
            QStringLiteral(PYTHON_EXE),
            {"-c",
             "import numpy, tileflow\n"
             "print(tileflow._native.__file__)\n"
             "flow = tileflow.TileFlow((64, 64), (1, 1)).configure('sobel')\n"
             "print('sum', flow.run(numpy.ones((128, 128), numpy.float32)).sum())"},
            environment);
        QVERIFY2(python.exitCode == 0, qPrintable(python.text()));
        QVERIFY2(python.out.startsWith(packages), qPrintable(python.out));
        QVERIFY2(python.out.contains(QStringLiteral("sum 0.0")), qPrintable(python.out));
    }
#endif
};

QTEST_MAIN(TestDebPackage)
#include "test_deb_package.moc"
