#include "gui/run_viewer.hpp"

#include <QApplication>
#include <QByteArray>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gui/main_window.hpp"

namespace tileflow::gui {

bool displayAvailable() {
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (platform.startsWith("offscreen") || platform.startsWith("minimal"))
        return false;
    if (!platform.isEmpty())
        return true;
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

void returnFreedTileMemory() {
#if defined(__GLIBC__)
    // A fixed threshold also turns off the dynamic raise; 1 MiB is below one display tile of
    // an 8-channel 16-bit image and far above the small allocations Qt makes per paint.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

int runViewer(int& argc, char** argv, const std::string& image) {
    returnFreedTileMemory();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TileFlow"));
    QApplication::setApplicationName(QStringLiteral("tileflow"));
    QApplication::setApplicationDisplayName(QStringLiteral("TileFlow"));
    MainWindow window;
    window.show();
    if (image.empty() || !window.openImage(QString::fromStdString(image)))
        window.openDemo();
    return QApplication::exec();
}

}  // namespace tileflow::gui
