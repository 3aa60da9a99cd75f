// A small plot of memory over time: one polyline per series over the last kSamples samples,
// scaled to the largest value shown. GUI thread only.
#pragma once

#include <QColor>
#include <QWidget>
#include <array>
#include <deque>

namespace tileflow::plugin {

class MemoryPlot : public QWidget {
    Q_OBJECT

public:
    static constexpr std::size_t kSamples = 120;
    static constexpr std::size_t kSeries = 2;  // process RSS, result cache

    explicit MemoryPlot(QWidget* parent = nullptr);

    void add(const std::array<double, kSeries>& values);
    static QColor seriesColor(std::size_t series);

    QSize sizeHint() const override { return {240, 80}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::deque<std::array<double, kSeries>> samples_;
};

}  // namespace tileflow::plugin
