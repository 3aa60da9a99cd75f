// The reference host: load the TileFlow host extension as a foreign viewer would, hand it an
// image, drive its panels like a user, and check the tiles it paints against the batch
// engine, and the files it exports against the tileflow binary's `process`, on the GUI
// thread only. Only exportDialogReturnsTheRequest uses the extension's own code (the dialog,
// built into this test); everything else goes through the loaded module.
#include <tiffio.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPluginLoader>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>

#include "cli_runner.hpp"
#include "export_dialog.hpp"
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
std::shared_ptr<tileflow::Source> callbackSource(
    const std::shared_ptr<const tileflow::Image>& image) {
    return std::make_shared<tileflow::plugin::CallbackSource>(
        image->info(), [image](int, const tileflow::Rect& region, tileflow::ImageView out) {
            tileflow::copyPixels(image->view().region(region), out);
        });
}

template <typename Widget>
Widget* childOf(const QObject* parent, const QString& name) {
    auto* found = parent->findChild<Widget*>(name);
    if (found == nullptr)
        qFatal("no widget named %s", qPrintable(name));
    return found;
}

// Selects the combo box's item with `data`, as a user picking it would.
void choose(QComboBox* box, const QVariant& data) {
    const int index = box->findData(data);
    if (index < 0)
        qFatal("%s has no item %s", qPrintable(box->objectName()), qPrintable(data.toString()));
    box->setCurrentIndex(index);
}

QPushButton* okButton(const QDialog* dialog) {
    return dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
}

// The TIFF's first directory's compression tag; 0 when the file cannot be opened.
int tiffCompression(const QString& path) {
    TIFF* tiff = TIFFOpen(QFile::encodeName(path).constData(), "r");
    if (tiff == nullptr)
        return 0;
    std::uint16_t compression = 0;
    TIFFGetField(tiff, TIFFTAG_COMPRESSION, &compression);
    TIFFClose(tiff);
    return compression;
}

tileflow::Image readBack(const QString& path) {
    return tileflow::readImage(*tileflow::openSource(path.toStdString()));
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
    QTemporaryDir scratch_;
    QString pyramid_;  // a 1000x800 u8 RGB pyramidal TIFF (levels 2x, 4x), 0.25 µm/px

    void attach(std::shared_ptr<tileflow::Source> source) {
        host_ = std::make_unique<ReferenceHost>(std::move(source));
        host_->setAttached(true);
        extension_->attach(host_.get());
        attached_ = true;
        host_->window().show();
        QVERIFY(QTest::qWaitForWindowExposed(&host_->window()));
        // Tiles are compared with the default display mapping; autoContrastShowsTheResultsRange
        // covers the other.
        widget<QCheckBox>(QStringLiteral("autoContrast"))->setChecked(false);
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

    // Whether a job's row in the progress panel reports it cancelled.
    bool jobSaysCancelled() {
        const QList<QLabel*> labels = host_->window().findChildren<QLabel*>();
        return std::any_of(labels.begin(), labels.end(), [](const QLabel* label) {
            return label->objectName().startsWith(QStringLiteral("figures.")) &&
                   label->text().startsWith(QStringLiteral("cancelled"));
        });
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

    // Clicks "Export…"; the dialog opens without blocking (open()), the test sets it up.
    QDialog* openExportDialog() {
        click(QStringLiteral("export"));
        auto* dialog = widget<QDialog>(QStringLiteral("tileflowExportDialog"));
        if (!dialog->isVisible())
            qFatal("the export dialog is not shown");
        return dialog;
    }

    // Accepts the dialog and returns the export's outcome from the status line: the
    // controller clears it when it takes the request and shows the outcome when there is one.
    QString acceptExport(QDialog* dialog) {
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        auto* status = widget<QLabel>(QStringLiteral("status"));
        if (!QTest::qWaitFor([status] { return !status->text().isEmpty(); }, 30000))
            return QStringLiteral("(no outcome within 30 s)");
        return status->text();
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

        QVERIFY(scratch_.isValid());
        pyramid_ = scratch_.filePath(QStringLiteral("pyramid.tif"));
        tileflow::OutputSettings settings;
        settings.tileSize = 128;
        settings.micronsPerPixel = 0.25;
        const auto sink = tileflow::createSink(pyramid_.toStdString(), settings);
        tileflow::TileFlow()
            .configure(tileflow::createOperation("copy"))
            .run(*tileflow::openSource("synthetic:1000x800x3:u8:5"), *sink);
        const auto levels = tileflow::openSource(pyramid_.toStdString())->metadata().levels;
        QVERIFY(levels.size() >= 3);
        QCOMPARE(levels[1].size, (tileflow::Size{500, 400}));
        QCOMPARE(levels[1].downsample, 2.0);
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
        // The job says it is cancelled once its tiles have stopped, after every tile it
        // delivered (its signals arrive in order): from then on, no tile may land.
        QTRY_VERIFY_WITH_TIMEOUT(jobSaysCancelled(), 60000);
        const int tiles = host_->tileCalls();
        QTest::qWait(500);
        QCOMPARE(host_->tileCalls(), tiles);
        QVERIFY(!host_->covers(kSobelLayer, view));
    }

    void exportWritesTheResultFile() {
        attach(callbackSource(image_));
        selectOperation(QStringLiteral("sobel"));
        QTemporaryDir folder;
        QDialog* dialog = openExportDialog();
        // Defaults: pyramidal TIFF, level 0, whole image, the writer's default compression.
        childOf<QLineEdit>(dialog, QStringLiteral("exportPath"))
            ->setText(folder.filePath(QStringLiteral("edges")));
        const QString path = folder.filePath(QStringLiteral("edges.tif"));  // suffix added
        QCOMPARE(acceptExport(dialog), QStringLiteral("Exported %1.").arg(path));
        try {
            QVERIFY(tileflow::samePixels(readBack(path).view(), sobel_.view()));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(tiffCompression(path), COMPRESSION_ADOBE_DEFLATE);
        QCOMPARE(QDir(folder.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList{QStringLiteral("edges.tif")});  // no temporary left
    }

    // A region given in level-0 pixels, exported from level 1, equals what the tileflow
    // binary writes for `process --level 1 --region` with the region in level-1 pixels.
    void exportRegionAtLevelMatchesCli() {
        attach(std::shared_ptr<tileflow::Source>(tileflow::openSource(pyramid_.toStdString())));
        selectOperation(QStringLiteral("sobel"));
        QTemporaryDir folder;
        const QString path = folder.filePath(QStringLiteral("region.tif"));
        QDialog* dialog = openExportDialog();
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportFormat")), QStringLiteral("tif"));
        childOf<QLineEdit>(dialog, QStringLiteral("exportPath"))->setText(path);
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportLevel")), 1);
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportRegion")),
               QStringLiteral("custom"));
        childOf<QSpinBox>(dialog, QStringLiteral("regionX"))->setValue(101);
        childOf<QSpinBox>(dialog, QStringLiteral("regionY"))->setValue(51);
        childOf<QSpinBox>(dialog, QStringLiteral("regionWidth"))->setValue(300);
        childOf<QSpinBox>(dialog, QStringLiteral("regionHeight"))->setValue(201);
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportCompression")),
               QStringLiteral("zstd"));
        childOf<QSpinBox>(dialog, QStringLiteral("exportTileSize"))->setValue(128);
        QCOMPARE(acceptExport(dialog), QStringLiteral("Exported %1.").arg(path));

        // 101,51 to 401,252 over the downsample 2, rounded outward: 50,25 to 201,126.
        const QString cliPath = folder.filePath(QStringLiteral("cli.tif"));
        const tileflow::testing::Outcome cli = tileflow::testing::runTileflow(
            {QStringLiteral("process"), pyramid_, cliPath, QStringLiteral("--op"),
             QStringLiteral("sobel"), QStringLiteral("--level"), QStringLiteral("1"),
             QStringLiteral("--region"), QStringLiteral("50,25,151,101"),
             QStringLiteral("--compression"), QStringLiteral("zstd"), QStringLiteral("--out-tile"),
             QStringLiteral("128"), QStringLiteral("--quiet")});
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
        try {
            const tileflow::Image exported = readBack(path);
            QCOMPARE(exported.info().size, (tileflow::Size{151, 101}));
            QVERIFY(tileflow::samePixels(exported.view(), readBack(cliPath).view()));
            const auto micrometres =
                tileflow::openSource(path.toStdString())->metadata().micronsPerPixel;
            QVERIFY(micrometres.has_value());
            QCOMPARE(*micrometres, 0.5);  // 0.25 µm/px at level 0, downsample 2
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(tiffCompression(path), COMPRESSION_ZSTD);
    }

    void exportOmeZarrWithZstd() {
        attach(callbackSource(image_));
        selectOperation(QStringLiteral("sobel"));
        QTemporaryDir folder;
        QDialog* dialog = openExportDialog();
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportFormat")), QStringLiteral("zarr"));
        childOf<QLineEdit>(dialog, QStringLiteral("exportPath"))
            ->setText(folder.filePath(QStringLiteral("edges")));
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportCompression")),
               QStringLiteral("zstd"));
        childOf<QSpinBox>(dialog, QStringLiteral("exportTileSize"))->setValue(256);
        const QString path = folder.filePath(QStringLiteral("edges.zarr"));
        QCOMPARE(acceptExport(dialog), QStringLiteral("Exported %1.").arg(path));
        try {
            QVERIFY(tileflow::samePixels(readBack(path).view(), sobel_.view()));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QFile array(path + QStringLiteral("/0/.zarray"));
        QVERIFY2(array.open(QIODevice::ReadOnly), qPrintable(array.fileName()));
        const QJsonObject zarray = QJsonDocument::fromJson(array.readAll()).object();
        QCOMPARE(zarray.value(QLatin1String("compressor"))
                     .toObject()
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("zstd"));
        QCOMPARE(zarray.value(QLatin1String("chunks")).toArray(), (QJsonArray{1, 256, 256}));
    }

    void exportOfAViewOutsideTheImageFails() {
        attach(callbackSource(image_));
        selectOperation(QStringLiteral("sobel"));
        setView({2000, 1500, 300, 200});  // panned off the 640x480 image
        QTemporaryDir folder;
        QDialog* dialog = openExportDialog();
        choose(childOf<QComboBox>(dialog, QStringLiteral("exportRegion")), QStringLiteral("view"));
        childOf<QLineEdit>(dialog, QStringLiteral("exportPath"))
            ->setText(folder.filePath(QStringLiteral("outside.tif")));
        const QString status = acceptExport(dialog);
        QVERIFY2(
            status.contains(QStringLiteral("2000,1500 300×200 lies outside the 640×480 image")),
            qPrintable(status));
        QTest::qWait(200);
        QVERIFY(QDir(folder.path()).isEmpty());  // no file, no temporary
    }

    // The dialog alone: its widgets make the ExportRequest it returns.
    void exportDialogOffersOnlyTheLevelsTheFileStores() {
        tileflow::SourceMetadata metadata;
        // A viewer's DisplaySource: the file's level 0, then previews made on the fly.
        metadata.levels = {{{1000, 800}, 1}, {{500, 400}, 2, true}, {{250, 200}, 4, true}};
        tileflow::plugin::ExportDialog dialog(metadata, QRect(0, 0, 100, 100));
        auto* level = childOf<QComboBox>(&dialog, QStringLiteral("exportLevel"));
        QCOMPARE(level->count(), 1);
        QCOMPARE(level->itemData(0).toInt(), 0);
    }

    void exportDialogReturnsTheRequest() {
        tileflow::SourceMetadata metadata;
        metadata.levels = {{{1000, 800}, 1}, {{500, 400}, 2}, {{250, 200}, 4}};
        const QRect view(100, 50, 400, 300);
        tileflow::plugin::ExportDialog dialog(metadata, view);
        dialog.open();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        auto* level = childOf<QComboBox>(&dialog, QStringLiteral("exportLevel"));
        QCOMPARE(level->count(), 3);
        QVERIFY2(level->itemText(1).contains(QStringLiteral("500 × 400")),
                 qPrintable(level->itemText(1)));
        auto* path = childOf<QLineEdit>(&dialog, QStringLiteral("exportPath"));
        QVERIFY(!okButton(&dialog)->isEnabled());
        path->setText(QStringLiteral("/somewhere/out"));
        QVERIFY(okButton(&dialog)->isEnabled());
        using tileflow::plugin::ExportRequest;
        QVERIFY(dialog.request() == (ExportRequest{QStringLiteral("/somewhere/out.tif"), 0,
                                                   std::nullopt, std::string("deflate"), 512}));

        choose(childOf<QComboBox>(&dialog, QStringLiteral("exportFormat")), QStringLiteral("zarr"));
        auto* compression = childOf<QComboBox>(&dialog, QStringLiteral("exportCompression"));
        QCOMPARE(compression->currentData().toString(), QStringLiteral("blosc-zstd"));
        choose(compression, QStringLiteral("zstd"));
        choose(level, 2);
        choose(childOf<QComboBox>(&dialog, QStringLiteral("exportRegion")),
               QStringLiteral("custom"));
        auto* x = childOf<QSpinBox>(&dialog, QStringLiteral("regionX"));
        auto* width = childOf<QSpinBox>(&dialog, QStringLiteral("regionWidth"));
        QVERIFY(x->isEnabled());
        QCOMPARE(x->value(), 100);  // the custom region starts as the view
        x->setValue(900);
        width->setValue(500);
        QCOMPARE(width->value(), 100);  // kept inside the image
        childOf<QSpinBox>(&dialog, QStringLiteral("regionY"))->setValue(700);
        childOf<QSpinBox>(&dialog, QStringLiteral("exportTileSize"))->setValue(256);
        QTest::mouseClick(okButton(&dialog), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(dialog.request() ==
                (ExportRequest{QStringLiteral("/somewhere/out.zarr"), 2, QRect(900, 700, 100, 100),
                               std::string("zstd"), 256}));

        choose(childOf<QComboBox>(&dialog, QStringLiteral("exportRegion")), QStringLiteral("view"));
        QCOMPARE(dialog.request().region, std::optional<QRect>(view));
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
