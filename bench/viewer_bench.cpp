// viewer_bench: the viewer's figures, measured on the real main window and extension.
//
//   viewer_bench [IMAGE] [--browse N] [--pans N] [--phases LIST] [--screenshots DIR]
//
// IMAGE defaults to the demo slide (65536² x 8 channels u16). Without a display it runs on
// Qt's offscreen platform, which paints into memory as a window system would. Prints:
//   1. launch: from process start until the first view is painted (from the coarsest level,
//      which stands in everywhere) and until it is fully refined;
//   2. pan: with "Run view" on Sobel at 1:1, the time after a pan of half the window until
//      every visible tile of the result is painted;
//   3. browse: N random zooms and pans, each waited for until the view is covered; the
//      time to cover and the process's resident memory (now and peak);
//   4. a whole-image Sobel job at the level where the image is about 8192 pixels wide:
//      event-loop latency (a 5 ms timer's lateness) while it runs and the view pans, then
//      the time from Cancel until its tiles stop arriving.
// --phases runs some of them, e.g. "browse,whole" (default: all four; launch always runs).
// With --screenshots, the window is also saved at the first view, after the pans (in Split
// mode with the Inferno colormap) and during the whole-image job (JPEG, 1100 pixels wide: the
// README's pictures).
#include <unistd.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QListWidget>
#include <QPushButton>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gui/main_window.hpp"
#include "gui/run_viewer.hpp"
#include "gui/slide_view.hpp"
#include "tileflow/monitors.hpp"

using tileflow::gui::MainWindow;
using tileflow::gui::SlideView;

namespace {

const QString kSobelLayer = QStringLiteral("tileflow:sobel");
QString screenshotFolder;

void screenshot(MainWindow& window, const char* name) {
    if (screenshotFolder.isEmpty())
        return;
    const QString path = screenshotFolder + QLatin1Char('/') + QLatin1String(name);
    const QImage shot = window.grab().toImage().scaledToWidth(1100, Qt::SmoothTransformation);
    if (!shot.save(path, nullptr, 85))
        qFatal("cannot write %s", qPrintable(path));
}

// Seconds since this process started, from /proc (10 ms resolution).
double secondsSinceProcessStart() {
    std::ifstream stat("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Field 22, counted after the command name's closing parenthesis (field 2).
    std::size_t at = text.rfind(')');
    for (int field = 2; field < 22 && at != std::string::npos; ++field)
        at = text.find(' ', at + 1);
    const double start = std::stod(text.substr(at + 1)) / static_cast<double>(sysconf(_SC_CLK_TCK));
    double uptime = 0;
    std::ifstream("/proc/uptime") >> uptime;
    return uptime - start;
}

// Runs the event loop until `done` holds or `timeoutMs` passes; the milliseconds it took,
// or -1 on time-out.
template <typename Condition>
double waitUntil(Condition done, int timeoutMs = 60000) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return -1;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return static_cast<double>(clock.nsecsElapsed()) / 1e6;
}

// True when every tile of `level` that meets the view is loaded.
bool viewCovered(const SlideView& view, int level) {
    const auto keys = view.pyramid()->tilesMeeting(level, view.transform().visibleLevel0());
    return std::all_of(keys.begin(), keys.end(),
                       [&](const auto& key) { return view.cache().contains(key); });
}

bool viewCovered(const SlideView& view) {
    return viewCovered(view, view.currentLevel());
}

bool resultCovered(SlideView& view) {
    const auto keys =
        view.pyramid()->tilesMeeting(view.currentLevel(), view.transform().visibleLevel0());
    return std::all_of(keys.begin(), keys.end(), [&](const auto& key) {
        return view.overlays().tile(kSobelLayer, view.pyramid()->level0Rect(key).toAlignedRect()) !=
               nullptr;
    });
}

QSizeF imageSize(const SlideView& view) {
    const tileflow::Size size = view.source()->info().size;
    return {static_cast<double>(size.width), static_cast<double>(size.height)};
}

double percentile(std::vector<double> values, double p) {
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values.at(std::max<std::size_t>(rank, 1) - 1);
}

double mib(std::int64_t bytes) {
    return static_cast<double>(bytes) / (1 << 20);
}

template <typename Widget>
Widget* widget(MainWindow& window, const char* name) {
    auto* found = window.findChild<Widget*>(QLatin1String(name));
    if (found == nullptr)
        qFatal("no widget named %s", name);
    return found;
}

void selectOperation(MainWindow& window, const QString& id) {
    auto* list = widget<QListWidget>(window, "operationList");
    for (int row = 0; row < list->count(); ++row) {
        if (list->item(row)->data(Qt::UserRole).toString() == id)
            list->setCurrentRow(row);
    }
}

void printMemory(const char* when) {
    if (const auto memory = tileflow::processMemory())
        std::printf("  RSS %s: %.0f MiB, peak %.0f MiB\n", when, mib(memory->rssBytes),
                    mib(memory->peakRssBytes));
}

void launch(MainWindow& window, const QString& image, const QElapsedTimer& sinceMain) {
    window.show();
    if (!window.openImage(image))
        qFatal("cannot open %s", qPrintable(image));
    SlideView& view = *window.slideView();
    const int coarsest = view.pyramid()->coarsest();
    if (waitUntil([&] { return viewCovered(view, coarsest); }) < 0)
        qFatal("the coarsest level never arrived");
    view.repaint();
    const double painted = secondsSinceProcessStart();
    if (waitUntil([&] { return viewCovered(view, view.currentLevel()); }) < 0)
        qFatal("the first view never settled");
    view.repaint();
    screenshot(window, "viewer-demo.jpg");
    std::printf(
        "launch: first painted view (the coarsest level) %.2f s, fully refined %.2f s "
        "since process start (%.2f s since main())\n",
        painted, secondsSinceProcessStart(), static_cast<double>(sinceMain.elapsed()) / 1000);
}

void pans(MainWindow& window, int count) {
    SlideView& view = *window.slideView();
    const QSizeF size = imageSize(view);
    view.setCentreAndScale({size.width() * 0.4, size.height() * 0.4}, 1);
    selectOperation(window, QStringLiteral("sobel"));
    widget<QPushButton>(window, "runView")->click();
    if (waitUntil([&] { return resultCovered(view); }) < 0)
        qFatal("the view was never processed");
    std::vector<double> times;
    for (int i = 0; i < count; ++i) {
        const QPointF centre = view.transform().centre;
        view.setCentreAndScale(centre + QPointF(view.width() / 2.0, 0), 1);
        times.push_back(waitUntil([&] { return resultCovered(view) && viewCovered(view); }));
    }
    if (!screenshotFolder.isEmpty()) {
        // The README's split-view picture: the image left of the divider, Sobel right of it.
        tileflow::gui::OverlayLayers& overlays = view.overlays();
        overlays.setColormap(tileflow::gui::Colormap::Inferno);
        overlays.setMode(tileflow::gui::OverlayMode::Split);
        view.repaint();
        screenshot(window, "viewer-sobel-split.jpg");
        overlays.setMode(tileflow::gui::OverlayMode::Overlay);
    }
    std::printf(
        "pan by half a %dx%d view at 1:1 until Sobel covers it: median %.0f ms, max %.0f "
        "ms over %d pans\n",
        view.width(), view.height(), percentile(times, 0.5), percentile(times, 1.0), count);
}

void browse(MainWindow& window, int count) {
    SlideView& view = *window.slideView();
    widget<QPushButton>(window, "cancel")->click();
    const QSizeF size = imageSize(view);
    view.fit();
    const double fitScale = view.transform().scale;
    std::mt19937 random(7);
    std::uniform_real_distribution<double> unit(0, 1);
    std::vector<double> times;
    for (int i = 0; i < count; ++i) {
        const double scale = fitScale * std::pow(1 / fitScale, unit(random));
        view.setCentreAndScale({size.width() * unit(random), size.height() * unit(random)}, scale);
        times.push_back(waitUntil([&] { return viewCovered(view); }));
    }
    std::printf(
        "browse: %d random views, covered after median %.0f ms, p95 %.0f ms; display "
        "cache %.0f MiB\n",
        count, percentile(times, 0.5), percentile(times, 0.95), mib(view.cache().bytes()));
    printMemory("after browsing");
}

void wholeImage(MainWindow& window) {
    SlideView& view = *window.slideView();
    const QSizeF size = imageSize(view);
    const double scale = std::min(1.0, 8192.0 / size.width());
    view.setCentreAndScale({size.width() * 0.5, size.height() * 0.5}, scale);
    waitUntil([&] { return viewCovered(view); });
    selectOperation(window, QStringLiteral("sobel"));
    const std::size_t before = view.overlays().tileCount(kSobelLayer);
    QElapsedTimer clock;
    clock.start();
    std::vector<double> lateness;
    qint64 last = 0;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(static_cast<double>(now - last) / 1e6 - ticker.interval());
        last = now;
    });
    widget<QPushButton>(window, "runImage")->click();
    last = clock.nsecsElapsed();
    ticker.start();
    for (int step = 0; step < 200; ++step) {
        view.setCentreAndScale(view.transform().centre + QPointF(3 / scale, 2 / scale), scale);
        waitUntil([] { return false; }, 50);
    }
    ticker.stop();
    screenshot(window, "viewer-whole-image.jpg");
    const std::size_t tiles = view.overlays().tileCount(kSobelLayer) - before;
    std::printf(
        "event-loop latency during a whole-image Sobel at scale %.3g (%zu tiles in %.0f "
        "s): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
        scale, tiles, static_cast<double>(clock.elapsed()) / 1000, percentile(lateness, 0.5),
        percentile(lateness, 0.99), percentile(lateness, 1.0));
    printMemory("during the whole-image job");

    QElapsedTimer sinceCancel;
    std::size_t count = view.overlays().tileCount(kSobelLayer);
    double lastTile = 0;
    widget<QPushButton>(window, "cancel")->click();
    sinceCancel.start();
    waitUntil(
        [&] {
            if (view.overlays().tileCount(kSobelLayer) != count) {
                count = view.overlays().tileCount(kSobelLayer);
                lastTile = static_cast<double>(sinceCancel.elapsed());
            }
            return false;
        },
        3000);
    std::printf("cancel: the last tile arrived %.0f ms after Cancel\n", lastTile);
}

}  // namespace

int main(int argc, char** argv) {
    QElapsedTimer sinceMain;
    sinceMain.start();
    tileflow::gui::returnFreedTileMemory();  // as the viewer does
    if (!tileflow::gui::displayAvailable())
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // The built tree's extension and operations, unless told otherwise.
    if (qEnvironmentVariableIsEmpty("TILEFLOW_PLUGIN_PATH"))
        qputenv("TILEFLOW_PLUGIN_PATH", TILEFLOW_PLUGIN_DIR);
    QString image = QString::fromLatin1(tileflow::gui::kDemoImage);
    int browseSteps = 40;
    int panCount = 5;
    QStringList phases{QStringLiteral("pans"), QStringLiteral("browse"), QStringLiteral("whole")};
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--browse" && i + 1 < argc)
            browseSteps = std::stoi(argv[++i]);
        else if (arg == "--pans" && i + 1 < argc)
            panCount = std::stoi(argv[++i]);
        else if (arg == "--phases" && i + 1 < argc)
            phases = QString::fromLocal8Bit(argv[++i]).split(QLatin1Char(','));
        else if (arg == "--screenshots" && i + 1 < argc)
            screenshotFolder = QString::fromLocal8Bit(argv[++i]);
        else
            image = QString::fromLocal8Bit(argv[i]);
    }
    QApplication app(argc, argv);
    MainWindow window;
    window.resize(1280, 860);
    std::printf("viewer_bench: %s, %d threads\n", qPrintable(image),
                static_cast<int>(std::thread::hardware_concurrency()));
    launch(window, image, sinceMain);
    printMemory("at the first view");
    if (phases.contains(QLatin1String("pans")))
        pans(window, panCount);
    if (phases.contains(QLatin1String("browse")))
        browse(window, browseSteps);
    if (phases.contains(QLatin1String("whole")))
        wholeImage(window);
    return 0;
}
