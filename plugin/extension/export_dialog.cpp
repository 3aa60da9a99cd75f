#include "export_dialog.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace tileflow::plugin {

namespace {

const QString kTiff = QStringLiteral("tif");
const QString kZarr = QStringLiteral("zarr");

// The writers' compression names (open.hpp), their default first.
QStringList compressionsOf(const QString& format) {
    if (format == kZarr) {
        return {QStringLiteral("blosc-zstd"), QStringLiteral("blosc-lz4"), QStringLiteral("zstd"),
                QStringLiteral("zlib"), QStringLiteral("none")};
    }
    return {QStringLiteral("deflate"), QStringLiteral("zstd"), QStringLiteral("jpeg"),
            QStringLiteral("none")};
}

QSpinBox* spinBox(const QString& name, int minimum, int maximum, int value) {
    auto* box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(minimum, maximum);
    box->setValue(value);
    return box;
}

QComboBox* comboBox(const QString& name) {
    auto* box = new QComboBox;
    box->setObjectName(name);
    return box;
}

}  // namespace

ExportDialog::ExportDialog(const SourceMetadata& metadata, const QRect& view, QWidget* parent)
    : QDialog(parent),
      format_(comboBox(QStringLiteral("exportFormat"))),
      path_(new QLineEdit),
      level_(comboBox(QStringLiteral("exportLevel"))),
      region_(comboBox(QStringLiteral("exportRegion"))),
      compression_(comboBox(QStringLiteral("exportCompression"))),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)),
      view_(view) {
    setObjectName(QStringLiteral("tileflowExportDialog"));
    setWindowTitle(tr("Export result"));
    const Size size = metadata.levels.front().size;
    image_ = QRect(0, 0, static_cast<int>(size.width), static_cast<int>(size.height));

    format_->addItem(tr("Pyramidal TIFF"), kTiff);
    format_->addItem(tr("OME-Zarr"), kZarr);
    path_->setObjectName(QStringLiteral("exportPath"));
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(QStringLiteral("exportBrowse"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse);

    for (std::size_t i = 0; i < metadata.levels.size(); ++i) {
        const SourceLevel& level = metadata.levels[i];
        if (level.derived)
            continue;  // a viewer's preview level: exports come from the file's own
        level_->addItem(tr("%1: %2 × %3 px (1/%4)")
                            .arg(i)
                            .arg(level.size.width)
                            .arg(level.size.height)
                            .arg(level.downsample, 0, 'g', 4),
                        static_cast<int>(i));
    }

    region_->addItem(tr("Whole image"), QStringLiteral("whole"));
    region_->addItem(tr("Current view (%1, %2, %3 × %4)")
                         .arg(view.x())
                         .arg(view.y())
                         .arg(view.width())
                         .arg(view.height()),
                     QStringLiteral("view"));
    region_->addItem(tr("Custom"), QStringLiteral("custom"));
    const QRect start = view.intersected(image_).isEmpty() ? image_ : view.intersected(image_);
    x_ = spinBox(QStringLiteral("regionX"), 0, image_.width() - 1, start.x());
    y_ = spinBox(QStringLiteral("regionY"), 0, image_.height() - 1, start.y());
    width_ = spinBox(QStringLiteral("regionWidth"), 1, image_.width(), start.width());
    height_ = spinBox(QStringLiteral("regionHeight"), 1, image_.height(), start.height());
    auto* regionRow = new QHBoxLayout;
    for (QSpinBox* box : {x_, y_, width_, height_})
        regionRow->addWidget(box);

    tileSize_ = spinBox(QStringLiteral("exportTileSize"), 16, 8192, 512);
    tileSize_->setSingleStep(16);
    tileSize_->setSuffix(tr(" px"));
    tileSize_->setToolTip(tr("TIFF tile or zarr chunk side (TIFF: a multiple of 16)"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Format"), format_);
    form->addRow(tr("File"), pathRow);
    form->addRow(tr("Level"), level_);
    form->addRow(tr("Region"), region_);
    form->addRow(tr("x, y, width, height (level-0 px)"), regionRow);
    form->addRow(tr("Compression"), compression_);
    form->addRow(tr("Tile size"), tileSize_);
    form->addRow(buttons_);

    connect(format_, &QComboBox::currentIndexChanged, this, &ExportDialog::showCompressions);
    connect(region_, &QComboBox::currentIndexChanged, this, &ExportDialog::showRegion);
    connect(x_, &QSpinBox::valueChanged, this, &ExportDialog::clampRegion);
    connect(y_, &QSpinBox::valueChanged, this, &ExportDialog::clampRegion);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(path_, &QLineEdit::textChanged, this, [this](const QString& text) {
        buttons_->button(QDialogButtonBox::Ok)->setEnabled(!text.trimmed().isEmpty());
    });
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(false);
    showCompressions();
    showRegion();
    clampRegion();
}

ExportRequest ExportDialog::request() const {
    ExportRequest request;
    const QString format = format_->currentData().toString();
    request.path = path_->text().trimmed();
    const QString suffix = QFileInfo(request.path).suffix().toLower();
    const bool suffixFits =
        format == kZarr ? suffix == kZarr : suffix == kTiff || suffix == QLatin1String("tiff");
    if (!suffixFits)
        request.path += QLatin1Char('.') + format;
    request.level = level_->currentData().toInt();
    const QString region = region_->currentData().toString();
    if (region == QLatin1String("view"))
        request.region = view_;
    else if (region == QLatin1String("custom"))
        request.region = QRect(x_->value(), y_->value(), width_->value(), height_->value());
    request.compression = compression_->currentData().toString().toStdString();
    request.tileSize = tileSize_->value();
    return request;
}

void ExportDialog::browse() {
    const QString tiff = tr("Pyramidal TIFF (*.tif)");
    const QString zarr = tr("OME-Zarr (*.zarr)");
    QString filter = format_->currentData() == kZarr ? zarr : tiff;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export result"), path_->text(),
                                                      tiff + QStringLiteral(";;") + zarr, &filter);
    if (path.isEmpty())
        return;
    format_->setCurrentIndex(format_->findData(filter == zarr ? kZarr : kTiff));
    path_->setText(path);
}

void ExportDialog::showCompressions() {
    compression_->clear();
    const QStringList names = compressionsOf(format_->currentData().toString());
    for (const QString& name : names)
        compression_->addItem(name == names.front() ? tr("%1 (default)").arg(name) : name, name);
}

void ExportDialog::showRegion() {
    const bool custom = region_->currentData() == QStringLiteral("custom");
    for (QSpinBox* box : {x_, y_, width_, height_})
        box->setEnabled(custom);
}

void ExportDialog::clampRegion() {
    width_->setMaximum(image_.width() - x_->value());
    height_->setMaximum(image_.height() - y_->value());
}

}  // namespace tileflow::plugin
