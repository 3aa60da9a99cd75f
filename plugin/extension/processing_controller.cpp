#include "processing_controller.hpp"

#include <QFileInfo>
#include <algorithm>
#include <exception>

#include "auto_contrast.hpp"
#include "available_operations.hpp"
#include "export_dialog.hpp"
#include "export_source.hpp"
#include "memory_panel.hpp"
#include "processing_panel.hpp"
#include "progress_panel.hpp"
#include "tileflow/open.hpp"
#include "tileflow/plugin/operation_plugin.hpp"

namespace tileflow::plugin {

namespace {

constexpr int kIdleSampleMilliseconds = 1000;

std::string cacheKey(const std::string& id, const std::map<std::string, std::string>& values) {
    std::string key = id + '(';
    for (const auto& [name, value] : values)
        key.append(name).append(1, '=').append(value).append(1, ';');
    return key + ')';
}

}  // namespace

ProcessingController::ProcessingController(HostContext* host, QObject* parent)
    : QObject(parent),
      host_(host),
      source_(host->source()),
      cache_(std::make_shared<ResultCache>()),
      processing_(new ProcessingPanel(findOperations())),
      progress_(new ProgressPanel),
      memory_(new MemoryPanel) {
    host_->addPanel(processing_, tr("TileFlow processing"), Qt::RightDockWidgetArea);
    host_->addPanel(progress_, tr("TileFlow progress"), Qt::RightDockWidgetArea);
    host_->addPanel(memory_, tr("TileFlow memory"), Qt::RightDockWidgetArea);

    connect(processing_, &ProcessingPanel::runViewRequested, this, &ProcessingController::runView);
    connect(processing_, &ProcessingPanel::runImageRequested, this,
            &ProcessingController::runImage);
    connect(processing_, &ProcessingPanel::cancelRequested, this, &ProcessingController::cancel);
    connect(processing_, &ProcessingPanel::exportRequested, this, &ProcessingController::askExport);
    connect(memory_, &MemoryPanel::clearCacheRequested, this, &ProcessingController::clearCache);
    connect(&idleSampler_, &QTimer::timeout, this, &ProcessingController::sampleWhenIdle);
    idleSampler_.start(kIdleSampleMilliseconds);
    sampleWhenIdle();
}

ProcessingController::~ProcessingController() {
    delete exportDialog_;  // nothing would carry its request out
    viewJob_.reset();
    imageJobs_.clear();
    for (QWidget* panel : std::initializer_list<QWidget*>{processing_, progress_, memory_}) {
        if (panel != nullptr)
            panel->setEnabled(false);
    }
}

void ProcessingController::viewChanged(const ViewState& view) {
    if (viewJob_ && processing_ && processing_->followsView())
        viewJob_->setView(view);
}

std::optional<ProcessingController::Selection> ProcessingController::select() {
    const AvailableOperation* chosen = processing_ ? processing_->selected() : nullptr;
    if (chosen == nullptr) {
        if (processing_)
            processing_->showStatus(tr("Choose an operation first."));
        return std::nullopt;
    }
    const std::map<std::string, std::string> values = processing_->parameterValues();
    try {
        Selection selection{chosen->plugin->create(chosen->info.id, values),
                            cacheKey(chosen->info.id, values),
                            QStringLiteral("tileflow:") + QString::fromStdString(chosen->info.id),
                            QString::fromStdString(chosen->info.name)};
        processing_->showStatus({});
        return selection;
    } catch (const std::exception& e) {
        processing_->showStatus(QString::fromStdString(e.what()));
        return std::nullopt;
    }
}

void ProcessingController::prepareLayer(const Selection& selection) {
    auto shown = layerKeys_.find(selection.layer);
    if (shown != layerKeys_.end() && shown->second != selection.key)
        host_->clearLayer(selection.layer);
    layerKeys_[selection.layer] = selection.key;
}

void ProcessingController::paintTile(const QString& layer, const std::string& key, int level,
                                     const QRect& level0Rect, const QImage& display,
                                     const std::shared_ptr<const Image>& raw) {
    if (layerKeys_[layer] != key)
        return;
    if (!processing_ || !processing_->autoContrast() || !raw) {
        host_->setLayerTile(layer, level0Rect, display);
        return;
    }
    // One range per level: results of a reduced level have ranges of their own.
    auto [mapping, first] = autoMappings_.try_emplace({key, level});
    if (first)
        mapping->second = autoContrast(raw->view());
    host_->setLayerTile(layer, level0Rect, mapping->second.toImage(raw->view()));
}

void ProcessingController::runView() {
    std::optional<Selection> selection = select();
    if (!selection)
        return;
    if (!viewJob_ || viewKey_ != selection->key) {
        if (viewJob_) {
            viewJob_.reset();
            if (progress_)
                progress_->showOutcome(viewRow_, tr("replaced"));
        }
        try {
            viewJob_ = std::make_unique<ViewJob>(source_, selection->operation, selection->key,
                                                 ViewJob::Options{.cache = cache_});
        } catch (const std::exception& e) {
            processing_->showStatus(QString::fromStdString(e.what()));
            return;
        }
        viewKey_ = selection->key;
        viewRow_ = progress_ ? progress_->addJob(tr("%1 · view").arg(selection->title)) : -1;
        report(viewJob_.get(), viewRow_);
        connect(viewJob_.get(), &ViewJob::tileReady, this,
                [this, layer = selection->layer, key = selection->key](
                    quint64, int level, const QRect& rect, const QImage& display,
                    const std::shared_ptr<const Image>& raw) {
                    paintTile(layer, key, level, rect, display, raw);
                });
    }
    prepareLayer(*selection);
    viewJob_->setView(host_->view());
}

void ProcessingController::runImage() {
    std::optional<Selection> selection = select();
    if (!selection)
        return;
    std::unique_ptr<ImageJob> job;
    try {
        job = std::make_unique<ImageJob>(
            source_, selection->operation, selection->key,
            ImageJob::Options{.level = host_->view().level, .cache = cache_});
    } catch (const std::exception& e) {
        processing_->showStatus(QString::fromStdString(e.what()));
        return;
    }
    prepareLayer(*selection);
    connect(job.get(), &ImageJob::tileReady, this,
            [this, layer = selection->layer, key = selection->key](
                quint64, int level, const QRect& rect, const QImage& display,
                const std::shared_ptr<const Image>& raw) {
                paintTile(layer, key, level, rect, display, raw);
            });
    startImageJob(std::move(job), tr("%1 · whole image").arg(selection->title),
                  tr("%1: whole image done.").arg(selection->title));
}

void ProcessingController::askExport() {
    if (exportDialog_ && exportDialog_->isVisible()) {
        exportDialog_->raise();
        return;
    }
    exportDialog_ =
        new ExportDialog(source_->metadata(), host_->view().level0Rect, host_->dialogParent());
    exportDialog_->setAttribute(Qt::WA_DeleteOnClose);
    connect(exportDialog_, &QDialog::accepted, this,
            [this, dialog = exportDialog_] { exportTo(dialog->request()); });
    exportDialog_->open();
}

void ProcessingController::exportTo(const ExportRequest& request) {
    std::optional<Selection> selection = select();
    if (!selection)
        return;
    std::unique_ptr<ImageJob> job;
    try {
        // As the CLI: the pixel size of what is processed, channel names when they stay.
        const std::shared_ptr<const Source> part =
            exportedPart(source_, request.level, request.region);
        const SourceMetadata metadata = part->metadata();
        OutputSettings settings{
            request.compression, request.tileSize, metadata.micronsPerPixel, {}};
        if (selection->operation->outputInfo(part->info()).channels == part->info().channels)
            settings.channelNames = metadata.channelNames;
        job = std::make_unique<ImageJob>(part, selection->operation,
                                         createSink(request.path.toStdString(), settings));
    } catch (const std::exception& e) {
        processing_->showStatus(tr("Export failed: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    startImageJob(std::move(job),
                  tr("%1 · export level %2 to %3")
                      .arg(selection->title)
                      .arg(request.level)
                      .arg(QFileInfo(request.path).fileName()),
                  tr("Exported %1.").arg(request.path));
}

void ProcessingController::startImageJob(std::unique_ptr<ImageJob> job, const QString& title,
                                         const QString& finishedMessage) {
    ImageJob* started = job.get();
    report(started, progress_ ? progress_->addJob(title) : -1);
    auto forget = [this, started] {
        auto it = std::find_if(imageJobs_.begin(), imageJobs_.end(),
                               [started](const auto& kept) { return kept.get() == started; });
        if (it != imageJobs_.end()) {
            it->release()->deleteLater();  // it is emitting: delete it once that returns
            imageJobs_.erase(it);
        }
    };
    connect(started, &ImageJob::finished, this, [this, finishedMessage] {
        if (processing_)
            processing_->showStatus(finishedMessage);
    });
    connect(started, &ImageJob::finished, this, forget);
    connect(started, &ImageJob::failed, this, forget);
    connect(started, &ImageJob::cancelled, this, forget);
    imageJobs_.push_back(std::move(job));
    started->start();
}

template <typename Job>
void ProcessingController::report(Job* job, int row) {
    connect(job, &Job::progress, this, [this, row](const JobProgress& progress) {
        if (progress_)
            progress_->showProgress(row, progress);
    });
    connect(job, &Job::memorySample, this, [this](const MemorySample& sample) {
        sinceJobSample_.start();
        if (memory_) {
            memory_->addSample(sample);
            memory_->showDisplayCache(host_->displayCacheBytes());
        }
    });
    auto outcome = [this, row](const QString& text) {
        if (progress_)
            progress_->showOutcome(row, text);
    };
    connect(job, &Job::finished, this, [outcome] { outcome(tr("finished")); });
    connect(job, &Job::cancelled, this, [outcome] { outcome(tr("cancelled")); });
    connect(job, &Job::failed, this, [this, outcome](const QString& message) {
        outcome(tr("failed"));
        if (processing_)
            processing_->showStatus(message);
    });
}

void ProcessingController::cancel() {
    if (viewJob_)
        viewJob_->cancel();
    for (const auto& job : imageJobs_)
        job->cancel();
}

void ProcessingController::clearCache() {
    cache_->clear();
    sinceJobSample_.invalidate();
    sampleWhenIdle();
}

void ProcessingController::sampleWhenIdle() {
    if (!memory_ ||
        (sinceJobSample_.isValid() && sinceJobSample_.elapsed() < kIdleSampleMilliseconds))
        return;
    MemorySample sample;
    sample.process = processMemory();
    sample.cacheBytes = cache_->heldBytes();
    memory_->addSample(sample);
    memory_->showDisplayCache(host_->displayCacheBytes());
}

}  // namespace tileflow::plugin
