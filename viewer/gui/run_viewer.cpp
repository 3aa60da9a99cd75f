#include "gui/run_viewer.hpp"

#include <QApplication>
#include <QByteArray>

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

int runViewer(int& argc, char** argv, const std::string& image) {
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
