// What the extension does for one attached host: builds the panels, hands them to the host,
// runs the jobs the processing panel asks for and paints their tiles into result layers.
//
// Layers: an operation's tiles go to the host layer "tileflow:<operation id>". When the
// parameters behind a layer change, the layer is cleared before the new tiles arrive, and
// tiles of the old parameters still on their way are dropped.
// Jobs: "Run view" keeps one ViewJob for the selected operation and parameters (a new
// selection replaces it) and points it at the host's view; while "Follow the view" is on,
// viewChanged() moves it along. "Run whole image" runs an ImageJob over the level the host
// shows into the layer. "Export…" opens an ExportDialog (window-modal through open(), parented
// to the host's dialogParent(); it does not block) and carries out the request it returns
// with exportTo(): an ImageJob over the part export_source.hpp describes (the level, cut to
// the region) into a file sink (temporary name, renamed when complete), as `tileflow process
// --level N --region ...` would write it. All jobs share one result cache, the memory
// panel's "Clear cache" empties it. "Cancel" cancels every job.
//
// Errors: what cannot be started (no operation chosen, a region outside the image, a level
// the source lacks, settings the writer refuses, a file that cannot be created) is shown in
// the processing panel's status, and no job starts and no file appears; a job's failure
// too.
//
// Thread-safety: GUI thread only; the jobs report on it, so the host is only ever called on
// it. Lifetime: destroying the controller destroys the jobs (which join their workers and
// emit nothing more) and disables the panels the host still shows; it never touches the
// host again.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "export_request.hpp"
#include "tileflow/operation.hpp"
#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/plugin/image_job.hpp"
#include "tileflow/plugin/result_cache.hpp"
#include "tileflow/plugin/view_job.hpp"

namespace tileflow::plugin {

class ExportDialog;
class MemoryPanel;
class ProcessingPanel;
class ProgressPanel;

class ProcessingController : public QObject {
    Q_OBJECT

public:
    explicit ProcessingController(HostContext* host, QObject* parent = nullptr);
    ~ProcessingController() override;

    void viewChanged(const ViewState& view);
    // Exports the selected operation's result as `request` asks (see above).
    void exportTo(const ExportRequest& request);

private:
    // The selected operation, created for the form's values.
    struct Selection {
        std::shared_ptr<const Operation> operation;
        std::string key;  // operation id and parameter values: the cache key
        QString layer;
        QString title;
    };

    std::optional<Selection> select();
    void runView();
    void runImage();
    void askExport();
    void cancel();
    void clearCache();
    // Makes `selection` the layer's content, clearing the layer when it showed other results.
    void prepareLayer(const Selection& selection);
    // Hands a job's tile to the host unless its layer has moved on to other results; with
    // auto contrast on, mapped from `raw` with the range of the key's first tile at `level`
    // (auto_contrast.hpp) instead of the job's default `display`.
    void paintTile(const QString& layer, const std::string& key, int level, const QRect& level0Rect,
                   const QImage& display, const std::shared_ptr<const Image>& raw);
    // Starts an image job and keeps it until it ends.
    void startImageJob(std::unique_ptr<ImageJob> job, const QString& title,
                       const QString& finishedMessage);
    // Connects a job's progress, memory and outcome to the panels; `row` is its progress row.
    template <typename Job>
    void report(Job* job, int row);
    void sampleWhenIdle();

    HostContext* host_;
    std::shared_ptr<const Source> source_;
    std::shared_ptr<ResultCache> cache_;
    QPointer<ProcessingPanel> processing_;
    QPointer<ProgressPanel> progress_;
    QPointer<MemoryPanel> memory_;
    QPointer<ExportDialog> exportDialog_;       // while open
    std::map<QString, std::string> layerKeys_;  // the cache key each layer shows
    // By cache key and level, from the first tile of that level.
    std::map<std::pair<std::string, int>, DisplayMapping> autoMappings_;
    QTimer idleSampler_;
    QElapsedTimer sinceJobSample_;

    // Declared last: destroyed first, before what their signals reach.
    std::string viewKey_;
    int viewRow_ = 0;
    std::unique_ptr<ViewJob> viewJob_;
    std::vector<std::unique_ptr<ImageJob>> imageJobs_;
};

}  // namespace tileflow::plugin
