// The reference host: load the TileFlow host extension as a foreign viewer would, hand it an
// image, drive its panels like a user, and check the tiles it paints against the batch
// engine, on the GUI thread only.
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPluginLoader>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <cstdint>
#include <memory>
#include <set>

#include "reference_host.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"
#include "tileflow/plugin/callback_source.hpp"
#include "tileflow/plugin/display_mapping.hpp"
#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/registry.hpp"

using tileflow::plugin::HostExtension;
using tileflow::plugin::ViewState;

namespace {

const QString kSobelLayer = QStringLiteral("tileflow:sobel");

// An in-memory image served through the host's own region reader.
std::shared_ptr<tileflow::Source> callbackSource(std::shared_ptr<const tileflow::Image> image) {
    return std::make_shared<tileflow::plugin::CallbackSource>(
        image->info(), [image](int, const tileflow::Rect& region, tileflow::ImageView out) {
            tileflow::copyPixels(image->view().region(region), out);
        });
}

// Large enough that no job finishes before it is cancelled; generated, never held.
std::shared_ptr<tileflow::Source> hugeSource() {
    return tileflow::openSource("synthetic:40000x40000x1:u8:3");
}

}  // namespace

class TestReferenceHost : public QObject {
    Q_OBJECT

private:
    HostExtension* extension_ = nullptr;
    std::shared_ptr<const tileflow::Image> image_;  // small, for comparisons
    tileflow::Image sobel_;                         // the batch engine's result over image_
    std::unique_ptr<ReferenceHost> host_;
    bool attached_ = false;

    void attach(std::shared_ptr<tileflow::Source> source) {
        host_ = std::make_unique<ReferenceHost>(std::move(source));
        host_->setAttached(true);
        extension_->attach(host_.get());
        attached_ = true;
        host_->window().show();
        QVERIFY(QTest::qWaitForWindowExposed(&host_->window()));
    }

    void detach() {
        extension_->detach();
        host_->setAttached(false);
        attached_ = false;
    }

    void setView(const QRect& level0Rect) {
        const ViewState view{level0Rect, 0};
        host_->setView(view);
        extension_->viewChanged(view);
    }

    template <typename Widget>
    Widget* widget(const QString& name) {
        auto* found = host_->window().findChild<Widget*>(name);
        if (found == nullptr)
            qFatal("no widget named %s", qPrintable(name));
        return found;
    }

    void click(const QString& buttonName) {
        QTest::mouseClick(widget<QPushButton>(buttonName), Qt::LeftButton);
    }

    void selectOperation(const QString& id) {
        auto* list = widget<QListWidget>(QStringLiteral("operationList"));
        for (int row = 0; row < list->count(); ++row) {
            QListWidgetItem* item = list->item(row);
            if (item->data(Qt::UserRole).toString() != id)
                continue;
            list->scrollToItem(item);
            QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                              list->visualItemRect(item).center());
            QCOMPARE(list->currentItem(), item);
            return;
        }
        QFAIL(qPrintable(QStringLiteral("no operation %1 in the list").arg(id)));
    }

    // Every tile of the layer equals the display mapping of `batch` (a batch engine result
    // over image_) there.
    void compareWithBatch(const QString& layerId, const tileflow::Image& batch) {
        const tileflow::plugin::DisplayMapping mapping;
        QVERIFY(!host_->layer(layerId).empty());
        for (const auto& [key, tile] : host_->layer(layerId)) {
            const auto [x, y, width, height] = key;
            const QImage expected = mapping.toImage(batch.view().region({x, y, width, height}));
            QVERIFY2(tile == expected,
                     qPrintable(
                         QStringLiteral("tile %1,%2 %3x%4").arg(x).arg(y).arg(width).arg(height)));
        }
    }

private slots:
    void initTestCase() {
        const QString path = QStringLiteral(TILEFLOW_EXTENSION);
        // The operation plugins live beside the extension.
        qputenv("TILEFLOW_PLUGIN_PATH", QFileInfo(path).absolutePath().toLocal8Bit());
        QPluginLoader loader(path);
        QCOMPARE(loader.metaData().value(QLatin1String("IID")).toString(),
                 QStringLiteral(TILEFLOW_HOST_EXTENSION_IID));
        QVERIFY2(loader.load(), qPrintable(loader.errorString()));
        extension_ = qobject_cast<HostExtension*>(loader.instance());
        QVERIFY(extension_ != nullptr);
        QCOMPARE(extension_->name(), QStringLiteral("tileflow-processing"));
        QCOMPARE(loader.metaData()
                     .value(QLatin1String("MetaData"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 extension_->name());

        image_ = std::make_shared<const tileflow::Image>(
            tileflow::readImage(*tileflow::openSource("synthetic:640x480x3:f32:7")));
        sobel_ =
            tileflow::TileFlow().configure(tileflow::createOperation("sobel")).run(image_->view());
    }

    void cleanup() {
        if (!host_)
            return;
        if (attached_)
            detach();
        QTest::qWait(200);  // anything still queued must not reach the host now
        const int violations = host_->violations();
        host_.reset();
        QCOMPARE(violations, 0);
    }

    void panelsAreDockedInTheHost() {
        attach(callbackSource(image_));
        for (const char* name :
             {"tileflowProcessingPanel", "tileflowProgressPanel", "tileflowMemoryPanel"}) {
            QWidget* holder = widget<QWidget>(QLatin1String(name))->parentWidget();
            while (holder != nullptr && qobject_cast<QDockWidget*>(holder) == nullptr)
                holder = holder->parentWidget();
            QVERIFY2(holder != nullptr, name);
        }
        QStringList ids;
        auto* list = widget<QListWidget>(QStringLiteral("operationList"));
        for (int row = 0; row < list->count(); ++row)
            ids << list->item(row)->data(Qt::UserRole).toString();
        for (const tileflow::OperationInfo& info : tileflow::builtinOperations())
            QVERIFY2(ids.contains(QString::fromStdString(info.id)), info.id.c_str());
    }

    void parameterFormFollowsDescriptions() {
        attach(callbackSource(image_));
        selectOperation(QStringLiteral("gaussian"));
        auto* sigma = widget<QDoubleSpinBox>(QStringLiteral("parameter.sigma"));
        QCOMPARE(sigma->value(), 2.0);
        QCOMPARE(sigma->minimum(), 0.1);
        QCOMPARE(sigma->maximum(), 64.0);
        QCOMPARE(sigma->suffix(), QStringLiteral(" px"));
        QVERIFY(!sigma->toolTip().isEmpty());
        sigma->setValue(5);
        click(QStringLiteral("resetParameters"));
        QCOMPARE(sigma->value(), 2.0);

        selectOperation(QStringLiteral("threshold"));
        auto* method = widget<QComboBox>(QStringLiteral("parameter.method"));
        QCOMPARE(method->count(), 3);
        QCOMPARE(method->currentText(), QStringLiteral("otsu"));
        QVERIFY(host_->window().findChild<QDoubleSpinBox*>(QStringLiteral("parameter.sigma")) ==
                nullptr);
    }

    void runViewMatchesBatchEngine() {
        attach(callbackSource(image_));
        const QRect view(100, 60, 300, 200);
        setView(view);
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runView"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(kSobelLayer, view), 10000);
        compareWithBatch(kSobelLayer, sobel_);
        auto* bar = widget<QProgressBar>(QStringLiteral("progress.1"));
        QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());
    }

    void viewJobFollowsTheViewWhenAsked() {
        attach(callbackSource(image_));
        setView({0, 0, 200, 200});
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runView"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(kSobelLayer, {0, 0, 200, 200}), 10000);

        const QRect panned(400, 250, 200, 200);
        setView(panned);
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(kSobelLayer, panned), 10000);

        auto* follow = widget<QCheckBox>(QStringLiteral("followView"));
        QTest::mouseClick(follow, Qt::LeftButton, {}, {8, follow->height() / 2});  // on the box
        QVERIFY(!follow->isChecked());
        const QRect ignored(0, 300, 200, 180);
        setView(ignored);
        QTest::qWait(500);
        QVERIFY(!host_->covers(kSobelLayer, ignored));
        compareWithBatch(kSobelLayer, sobel_);
    }

    void runWholeImageCoversTheImage() {
        attach(callbackSource(image_));
        setView({0, 0, 100, 100});
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runImage"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(kSobelLayer, {0, 0, 640, 480}), 10000);
        compareWithBatch(kSobelLayer, sobel_);
        auto* bar = widget<QProgressBar>(QStringLiteral("progress.1"));
        QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());
        QTRY_VERIFY(widget<QLabel>(QStringLiteral("status"))
                        ->text()
                        .contains(QStringLiteral("whole image done")));
    }

    void newParametersReplaceTheLayer() {
        attach(callbackSource(image_));
        const QString layer = QStringLiteral("tileflow:gaussian");
        selectOperation(QStringLiteral("gaussian"));
        auto* sigma = widget<QDoubleSpinBox>(QStringLiteral("parameter.sigma"));
        sigma->setValue(3);
        click(QStringLiteral("runImage"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(layer, {0, 0, 640, 480}), 10000);

        const QRect view(0, 0, 200, 200);
        setView(view);
        sigma->setValue(1.5);
        click(QStringLiteral("runView"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(layer, view), 10000);
        for (const auto& [key, tile] : host_->layer(layer)) {
            const auto [x, y, width, height] = key;
            QVERIFY(QRect(x, y, width, height).intersects(view));
        }
        const tileflow::Image blurred =
            tileflow::TileFlow()
                .configure(tileflow::createOperation("gaussian", {{"sigma", "1.5"}}))
                .run(image_->view());
        compareWithBatch(layer, blurred);
    }

    void clearCacheEmptiesTheCache() {
        attach(callbackSource(image_));
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runView"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(kSobelLayer, {0, 0, 640, 480}), 10000);
        auto* cache = widget<QLabel>(QStringLiteral("cache"));
        QTRY_VERIFY_WITH_TIMEOUT(cache->text() != QStringLiteral("0 B"), 5000);
        QVERIFY(widget<QLabel>(QStringLiteral("rss"))->text().contains(QStringLiteral("iB")));
        click(QStringLiteral("clearCache"));
        QCOMPARE(cache->text(), QStringLiteral("0 B"));
    }

    void cancelStopsTiles_data() {
        QTest::addColumn<QString>("button");
        QTest::newRow("view") << QStringLiteral("runView");
        QTest::newRow("whole image") << QStringLiteral("runImage");
    }

    void cancelStopsTiles() {
        QFETCH(QString, button);
        attach(hugeSource());
        const QRect view(0, 0, 20000, 20000);
        setView(view);
        selectOperation(QStringLiteral("sobel"));
        click(button);
        QTRY_VERIFY_WITH_TIMEOUT(host_->tileCalls() > 0, 10000);
        click(QStringLiteral("cancel"));
        QTest::qWait(1000);  // grace: tiles already on their way may still land
        const int tiles = host_->tileCalls();
        QTest::qWait(1500);
        QCOMPARE(host_->tileCalls(), tiles);
        QVERIFY(!host_->covers(kSobelLayer, view));
    }

    void exportWritesTheResultFile() {
        attach(callbackSource(image_));
        selectOperation(QStringLiteral("sobel"));
        QTemporaryDir folder;
        const QString path = folder.filePath(QStringLiteral("edges.tif"));
        // Answers the dialog once it shows, typing the name as a user would.
        bool answered = false;
        QTimer answer;
        connect(&answer, &QTimer::timeout, this, [&] {
            auto* dialog = host_->window().findChild<QFileDialog*>();
            if (dialog == nullptr || !dialog->isVisible() || answered)
                return;
            dialog->setDirectory(folder.path());
            dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"))
                ->setText(QFileInfo(path).fileName());
            QMetaObject::invokeMethod(dialog, "accept");  // a protected slot
            answered = true;
        });
        answer.start(50);
        click(QStringLiteral("export"));  // returns once the dialog is answered
        answer.stop();
        QVERIFY(answered);
        QTRY_VERIFY_WITH_TIMEOUT(
            widget<QLabel>(QStringLiteral("status"))->text().startsWith(QStringLiteral("Exported")),
            10000);
        try {
            const tileflow::Image written =
                tileflow::readImage(*tileflow::openSource(path.toStdString()));
            QVERIFY(tileflow::samePixels(written.view(), sobel_.view()));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    // A third-party operation plugin (examples/external_operation_plugin, built elsewhere,
    // e.g. against an installed TileFlow by the consumer test) in a folder of its own, which
    // the host adds to TILEFLOW_PLUGIN_PATH: the extension lists its operation and paints its
    // results. The expectation is computed here, not by the plugin's code.
    void externalOperationFromInstalledPackage() {
        const QString external = qEnvironmentVariable("TILEFLOW_EXTERNAL_PLUGIN_DIR");
        if (external.isEmpty())
            QSKIP(
                "TILEFLOW_EXTERNAL_PLUGIN_DIR is not set; it names the folder of a built "
                "examples/external_operation_plugin (the consumer test sets it)");
        if (!QFileInfo(external).isDir())
            QSKIP(qPrintable(
                QStringLiteral("TILEFLOW_EXTERNAL_PLUGIN_DIR=%1 is not a folder").arg(external)));

        // The extension scans on attach(); the build's plugins folder stays in the path.
        const QByteArray previous = qgetenv("TILEFLOW_PLUGIN_PATH");
        qputenv("TILEFLOW_PLUGIN_PATH", QFile::encodeName(external) + ':' + previous);
        const auto restore = qScopeGuard([previous] { qputenv("TILEFLOW_PLUGIN_PATH", previous); });

        const auto input = std::make_shared<const tileflow::Image>(
            tileflow::readImage(*tileflow::openSource("synthetic:300x200x1:u8")));
        attach(callbackSource(input));
        const QRect view(0, 0, 300, 200);
        setView(view);
        selectOperation(QStringLiteral("invert"));
        QCOMPARE(widget<QDoubleSpinBox>(QStringLiteral("parameter.scale"))->value(), 1.0);
        click(QStringLiteral("runView"));
        const QString layer = QStringLiteral("tileflow:invert");
        QTRY_VERIFY_WITH_TIMEOUT(host_->covers(layer, view), 10000);

        // scale 1 on u8: 255 - v; the default display mapping of one u8 channel is grey 0..255,
        // so each tile pixel is the inverted sample itself.
        std::set<int> values;
        for (const auto& [key, tile] : host_->layer(layer)) {
            const auto [x0, y0, width, height] = key;
            const QString where =
                QStringLiteral("tile %1,%2 %3x%4").arg(x0).arg(y0).arg(width).arg(height);
            QVERIFY2(tile.format() == QImage::Format_Grayscale8, qPrintable(where));
            QVERIFY2(tile.size() == QSize(width, height), qPrintable(where));
            for (int y = 0; y < height; ++y) {
                const std::uint8_t* in = input->view().row<std::uint8_t>(0, y0 + y) + x0;
                const uchar* shown = tile.constScanLine(y);
                for (int x = 0; x < width; ++x) {
                    values.insert(in[x]);
                    if (shown[x] != 255 - in[x])
                        QFAIL(
                            qPrintable(QStringLiteral("%1: pixel (%2, %3) is %4, expected 255 - %5")
                                           .arg(where)
                                           .arg(x0 + x)
                                           .arg(y0 + y)
                                           .arg(shown[x])
                                           .arg(in[x])));
                }
            }
        }
        QVERIFY(values.size() > 16);  // the synthetic input is not flat
    }

    void detachStopsEveryCall() {
        attach(hugeSource());
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runImage"));
        QTRY_VERIFY_WITH_TIMEOUT(host_->tileCalls() > 0, 10000);
        detach();
        QTest::qWait(1000);  // a call now would count as a violation (checked in cleanup)
        QVERIFY(!widget<QWidget>(QStringLiteral("tileflowProcessingPanel"))->isEnabled());
    }
};

QTEST_MAIN(TestReferenceHost)
#include "test_reference_host.moc"
