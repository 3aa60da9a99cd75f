#include "memory_plot.hpp"

#include <QPainter>
#include <QPolygonF>
#include <algorithm>

namespace tileflow::plugin {

MemoryPlot::MemoryPlot(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("memoryPlot"));
    setMinimumHeight(60);
}

void MemoryPlot::add(const std::array<double, kSeries>& values) {
    samples_.push_back(values);
    if (samples_.size() > kSamples)
        samples_.pop_front();
    update();
}

QColor MemoryPlot::seriesColor(std::size_t series) {
    return series == 0 ? QColor(40, 110, 200) : QColor(220, 120, 30);
}

void MemoryPlot::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    painter.setPen(palette().mid().color());
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
    double highest = 0;
    for (const auto& sample : samples_)
        highest = std::max(highest, *std::max_element(sample.begin(), sample.end()));
    if (samples_.size() < 2 || highest <= 0)
        return;
    const double dx = (width() - 1) / static_cast<double>(kSamples - 1);
    const double dy = (height() - 2) / highest;
    const double x0 = (width() - 1) - dx * static_cast<double>(samples_.size() - 1);
    painter.setRenderHint(QPainter::Antialiasing);
    for (std::size_t s = 0; s < kSeries; ++s) {
        QPolygonF line;
        for (std::size_t i = 0; i < samples_.size(); ++i)
            line << QPointF(x0 + dx * static_cast<double>(i), height() - 1 - dy * samples_[i][s]);
        painter.setPen(QPen(seriesColor(s), 1.5));
        painter.drawPolyline(line);
    }
}

}  // namespace tileflow::plugin
