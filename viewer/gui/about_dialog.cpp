#include "gui/about_dialog.hpp"

#include <openslide.h>
#include <tiffio.h>

#include <QMessageBox>
#include <QObject>

namespace tileflow::gui {

QString aboutText() {
    const QString tiff = QString::fromLatin1(TIFFGetVersion()).section(QLatin1Char('\n'), 0, 0);
    return QObject::tr(
               "TileFlow %1\nTiled processing of gigapixel images\n\n"
               "Qt %2 (built with %3)\nOpenSlide %4\n%5")
        .arg(QStringLiteral(TILEFLOW_VERSION), QString::fromLatin1(qVersion()),
             QStringLiteral(QT_VERSION_STR), QString::fromLatin1(openslide_get_version()),
             tiff.trimmed());
}

void showAbout(QWidget* parent) {
    QMessageBox::about(parent, QObject::tr("About TileFlow"), aboutText());
}

}  // namespace tileflow::gui
