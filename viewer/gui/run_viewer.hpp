// Starting the desktop viewer from the tileflow command: the only GUI entry point, kept free
// of Qt types so that the batch subcommands never need a QApplication.
#pragma once

#include <string>

namespace tileflow::gui {

// True when a window can be shown: the Qt platform is not a headless one (offscreen,
// minimal) and, on X11/Wayland, $DISPLAY or $WAYLAND_DISPLAY is set.
bool displayAvailable();

// Runs the viewer on `image` (a file or a synthetic spec; empty: the demo slide) until its
// window closes, and returns the exit status.
int runViewer(int& argc, char** argv, const std::string& image);

}  // namespace tileflow::gui
