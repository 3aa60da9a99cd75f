// Help › About TileFlow: the versions of TileFlow (the CMake project version), Qt (run
// time, and the one built against), OpenSlide (openslide_get_version()) and libtiff (the
// first line of TIFFGetVersion()), the libraries found at run time.
//
// Threads: GUI thread only. Errors: none.
#pragma once

#include <QString>

class QWidget;

namespace tileflow::gui {

// Plain text, one line per component.
QString aboutText();
// A modal message box with aboutText().
void showAbout(QWidget* parent);

}  // namespace tileflow::gui
