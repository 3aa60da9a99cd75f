// The export dialog: where, in which format, which level and region, how compressed. It only
// collects an ExportRequest; ProcessingController::exportTo() carries it out.
//
// Widgets, by objectName (stable: hosts and tests look them up): the dialog
// "tileflowExportDialog"; "exportFormat" (a QComboBox, data "tif" or "zarr"), "exportPath" (a
// QLineEdit) and "exportBrowse" (a QPushButton opening a QFileDialog); "exportLevel" (a
// QComboBox, one item per level with its size, data the level index); "exportRegion" (a
// QComboBox, data "whole", "view" or "custom") with "regionX", "regionY", "regionWidth" and
// "regionHeight" (QSpinBoxes in level-0 pixels, enabled for "custom", kept inside the image);
// "exportCompression" (a QComboBox of the format's writer names, as data) and
// "exportTileSize" (a QSpinBox, default 512). OK (a QDialogButtonBox's) is enabled once there
// is a path.
//
// request() fixes the path's suffix up: a path that does not end in the format's suffix
// (.tif/.tiff or .zarr) gets it appended. Use it with open() (not exec()) and the accepted()
// signal to stay non-blocking. GUI thread only.
#pragma once

#include <QDialog>
#include <QRect>

#include "export_request.hpp"
#include "tileflow/source.hpp"

class QComboBox;
class QDialogButtonBox;
class QLineEdit;
class QSpinBox;

namespace tileflow::plugin {

class ExportDialog : public QDialog {
    Q_OBJECT

public:
    // `metadata` describes the source's levels (level 0 first); `view` is what the host shows,
    // in level-0 pixels.
    ExportDialog(const SourceMetadata& metadata, const QRect& view, QWidget* parent = nullptr);

    ExportRequest request() const;

private:
    void browse();
    void showCompressions();
    void showRegion();
    void clampRegion();

    QComboBox* format_;
    QLineEdit* path_;
    QComboBox* level_;
    QComboBox* region_;
    QSpinBox* x_;
    QSpinBox* y_;
    QSpinBox* width_;
    QSpinBox* height_;
    QComboBox* compression_;
    QSpinBox* tileSize_;
    QDialogButtonBox* buttons_;
    QRect image_;
    QRect view_;
};

}  // namespace tileflow::plugin
