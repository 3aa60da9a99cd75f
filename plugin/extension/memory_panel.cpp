#include "memory_panel.hpp"

#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "display_text.hpp"
#include "memory_plot.hpp"

namespace tileflow::plugin {

namespace {

QLabel* figure(const QString& name, const QColor& color = {}) {
    auto* label = new QLabel(QStringLiteral("–"));
    label->setObjectName(name);
    if (color.isValid())
        label->setStyleSheet(QStringLiteral("color: %1").arg(color.name()));
    return label;
}

}  // namespace

MemoryPanel::MemoryPanel(QWidget* parent)
    : QWidget(parent),
      rss_(figure(QStringLiteral("rss"), MemoryPlot::seriesColor(0))),
      peak_(figure(QStringLiteral("peak"))),
      cache_(figure(QStringLiteral("cache"), MemoryPlot::seriesColor(1))),
      engine_(figure(QStringLiteral("engine"))),
      displayCache_(figure(QStringLiteral("displayCache"))),
      plot_(new MemoryPlot) {
    setObjectName(QStringLiteral("tileflowMemoryPanel"));
    auto* clear = new QPushButton(tr("Clear cache"));
    clear->setObjectName(QStringLiteral("clearCache"));
    clear->setToolTip(tr("Drop every cached result tile"));

    auto* figures = new QFormLayout;
    figures->addRow(tr("Process RSS"), rss_);
    figures->addRow(tr("Peak RSS"), peak_);
    figures->addRow(tr("Result cache"), cache_);
    figures->addRow(tr("Engine buffers"), engine_);
    figures->addRow(tr("Display cache"), displayCache_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(figures);
    layout->addWidget(plot_, 1);
    layout->addWidget(clear, 0, Qt::AlignRight);

    connect(clear, &QPushButton::clicked, this, &MemoryPanel::clearCacheRequested);
}

void MemoryPanel::addSample(const MemorySample& sample) {
    const QString unknown = tr("not available");
    rss_->setText(sample.process ? bytesText(sample.process->rssBytes) : unknown);
    peak_->setText(sample.process ? bytesText(sample.process->peakRssBytes) : unknown);
    cache_->setText(bytesText(sample.cacheBytes));
    engine_->setText(bytesText(sample.engineBytes));
    const double rss = sample.process ? static_cast<double>(sample.process->rssBytes) : 0;
    plot_->add({rss, static_cast<double>(sample.cacheBytes)});
}

void MemoryPanel::showDisplayCache(std::int64_t bytes) {
    displayCache_->setText(bytesText(bytes));
}

}  // namespace tileflow::plugin
