// The memory panel: process RSS and peak, the result cache's bytes and the bytes the engine
// holds, from the jobs' memory samples (job_types.hpp), the host's display cache
// (HostContext::displayCacheBytes), with a plot of RSS and cache over the last samples and
// a "Clear cache" button.
//
// Widgets by objectName: the panel "tileflowMemoryPanel", "rss", "peak", "cache", "engine",
// "displayCache" (QLabels), "memoryPlot", "clearCache". GUI thread only.
#pragma once

#include <QWidget>

#include "tileflow/plugin/job_types.hpp"

class QLabel;

namespace tileflow::plugin {

class MemoryPlot;

class MemoryPanel : public QWidget {
    Q_OBJECT

public:
    explicit MemoryPanel(QWidget* parent = nullptr);

    void addSample(const MemorySample& sample);
    void showDisplayCache(std::int64_t bytes);

signals:
    void clearCacheRequested();

private:
    QLabel* rss_;
    QLabel* peak_;
    QLabel* cache_;
    QLabel* engine_;
    QLabel* displayCache_;
    MemoryPlot* plot_;
};

}  // namespace tileflow::plugin
