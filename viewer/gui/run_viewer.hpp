// Starting the desktop viewer from the tileflow command: the only GUI entry point, kept free
// of Qt types so that the batch subcommands never need a QApplication.
#pragma once

#include <string>

namespace tileflow::gui {

// True when a window can be shown: the Qt platform is not a headless one (offscreen,
// minimal) and, on X11/Wayland, $DISPLAY or $WAYLAND_DISPLAY is set.
bool displayAvailable();

// Makes the C allocator give large freed blocks (tile buffers) back to the system. glibc
// raises its mmap threshold to the largest block freed so far (up to 32 MiB), after which
// such blocks stay in each thread's arena; with the viewer's loader, job and OpenMP threads
// that held about 550 MiB of idle memory after browsing the demo slide. Call it first in
// main(); runViewer() does.
void returnFreedTileMemory();

// Runs the viewer on `image` (a file or a synthetic spec; empty: the demo slide) until its
// window closes, and returns the exit status.
int runViewer(int& argc, char** argv, const std::string& image);

}  // namespace tileflow::gui
