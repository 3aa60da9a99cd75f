#include "progress_panel.hpp"

#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "display_text.hpp"

namespace tileflow::plugin {

namespace {

// QProgressBar counts in int; tile counts beyond that are scaled down together.
int barValue(qint64 value, qint64 total) {
    constexpr qint64 kLimit = std::numeric_limits<int>::max();
    return static_cast<int>(total <= kLimit ? value : value / (total / kLimit + 1));
}

QString figuresText(const JobProgress& p) {
    QString text = QStringLiteral("%1 MP/s").arg(p.megapixelsPerSecond, 0, 'f', 1);
    if (p.etaSeconds)
        text += QStringLiteral(" · ETA ") + secondsText(*p.etaSeconds);
    return text + QStringLiteral(" · ") + secondsText(p.elapsedSeconds) +
           QStringLiteral(" elapsed");
}

}  // namespace

ProgressPanel::ProgressPanel(QWidget* parent) : QWidget(parent), rowsLayout_(new QVBoxLayout) {
    setObjectName(QStringLiteral("tileflowProgressPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(rowsLayout_);
    layout->addStretch(1);
    refresh_.setSingleShot(true);
    refresh_.setInterval(kRefreshMilliseconds);
    connect(&refresh_, &QTimer::timeout, this, &ProgressPanel::showAllPending);
}

int ProgressPanel::addJob(const QString& title) {
    const int job = nextJob_++;
    Row row;
    row.box = new QWidget;
    row.bar = new QProgressBar;
    row.bar->setObjectName(QStringLiteral("progress.%1").arg(job));
    row.bar->setFormat(QStringLiteral("%v / %m tiles"));
    row.bar->setRange(0, 0);
    row.figures = new QLabel(tr("waiting"));
    row.figures->setObjectName(QStringLiteral("figures.%1").arg(job));
    auto* layout = new QVBoxLayout(row.box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(title));
    layout->addWidget(row.bar);
    layout->addWidget(row.figures);
    rowsLayout_->addWidget(row.box);
    rows_[job] = row;
    dropOldEndedRows();
    return job;
}

void ProgressPanel::showProgress(int job, const JobProgress& progress) {
    auto it = rows_.find(job);
    if (it == rows_.end())
        return;
    Row& row = it->second;
    row.ended = false;
    row.pending = progress;
    if (!row.shown.isValid() || row.shown.elapsed() >= kRefreshMilliseconds ||
        progress.done == progress.total)
        showPending(row);
    else if (!refresh_.isActive())
        refresh_.start();
}

void ProgressPanel::showPending(Row& row) {
    if (!row.pending)
        return;
    const JobProgress& progress = *row.pending;
    row.bar->setRange(0, barValue(progress.total, progress.total));
    row.bar->setValue(barValue(progress.done, progress.total));
    row.figures->setText(figuresText(progress));
    row.pending.reset();
    row.shown.start();
}

void ProgressPanel::showAllPending() {
    for (auto& [job, row] : rows_)
        showPending(row);
}

void ProgressPanel::showOutcome(int job, const QString& outcome) {
    auto it = rows_.find(job);
    if (it == rows_.end())
        return;
    Row& row = it->second;
    showPending(row);
    row.ended = true;
    if (row.bar->maximum() == 0)
        row.bar->setRange(0, 1);
    row.figures->setText(outcome + QStringLiteral(" · ") + row.figures->text());
    dropOldEndedRows();
}

void ProgressPanel::dropOldEndedRows() {
    auto rows = static_cast<int>(rows_.size());
    for (auto it = rows_.begin(); it != rows_.end() && rows > kMaxRows;) {
        if (!it->second.ended) {
            ++it;
            continue;
        }
        delete it->second.box;
        it = rows_.erase(it);
        --rows;
    }
}

}  // namespace tileflow::plugin
