// The viewer's panels: the scale bar's length choice, the channel panel (visibility, range,
// Auto range, RGB read-only) acting on the composite, and the overview recentring the view.
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "gui/channel_panel.hpp"
#include "gui/overview.hpp"
#include "gui/scale_bar.hpp"
#include "gui/slide_view.hpp"
#include "tileflow/plugin/callback_source.hpp"

using tileflow::gui::ChannelPanel;
using tileflow::gui::Overview;
using tileflow::gui::SlideView;

namespace {

constexpr std::int64_t kWidth = 1024;
constexpr std::int64_t kHeight = 768;
constexpr std::int64_t kCoarseFactor = 4;

// A deterministic u16 sample in [2000, 62000) per (level, channel, x, y).
std::uint16_t sampleAt(int level, int channel, std::int64_t x, std::int64_t y) {
    auto h = static_cast<std::uint64_t>(x * 73856093 ^ y * 19349663 ^
                                        std::int64_t{channel} * 83492791 ^ level * 2654435761);
    h ^= h >> 13;
    h *= 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    return static_cast<std::uint16_t>(2000 + h % 60000);
}

// kWidth x kHeight, `channels` x u16, with its own coarse level (downsample kCoarseFactor).
std::shared_ptr<tileflow::Source> hashedSource(int channels) {
    const std::vector<tileflow::SourceLevel> levels = {
        {{kWidth, kHeight}, 1},
        {{kWidth / kCoarseFactor, kHeight / kCoarseFactor}, static_cast<double>(kCoarseFactor)}};
    return std::make_shared<tileflow::plugin::CallbackSource>(
        tileflow::ImageInfo{{kWidth, kHeight}, channels, tileflow::DType::U16},
        [](int level, const tileflow::Rect& region, tileflow::ImageView out) {
            for (int c = 0; c < out.channels(); ++c) {
                for (std::int64_t y = 0; y < out.height(); ++y) {
                    auto* row = out.row<std::uint16_t>(c, y);
                    for (std::int64_t x = 0; x < out.width(); ++x)
                        row[x] = sampleAt(level, c, region.x + x, region.y + y);
                }
            }
        },
        levels);
}

std::shared_ptr<tileflow::Source> constantSource(tileflow::Size size, int channels) {
    return std::make_shared<tileflow::plugin::CallbackSource>(
        tileflow::ImageInfo{size, channels, tileflow::DType::U8},
        [](int, const tileflow::Rect&, tileflow::ImageView out) {
            for (int c = 0; c < out.channels(); ++c) {
                for (std::int64_t y = 0; y < out.height(); ++y)
                    std::fill_n(out.row<std::uint8_t>(c, y), out.width(), std::uint8_t{90});
            }
        });
}

int byteOf(double value, double low, double high) {
    return static_cast<int>(std::lround(std::clamp((value - low) / (high - low), 0.0, 1.0) * 255));
}

// The nearest-rank percentile: the value of rank max(1, ceil(p N)) from the smallest.
double percentile(std::vector<double> values, double fraction) {
    std::sort(values.begin(), values.end());
    const auto rank = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()))));
    return values[rank - 1];
}

}  // namespace

class TestViewerPanels : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<SlideView> view_;
    std::unique_ptr<ChannelPanel> panel_;

    void show(std::shared_ptr<tileflow::Source> source) {
        view_ = std::make_unique<SlideView>();
        panel_ = std::make_unique<ChannelPanel>(view_.get());
        view_->resize(512, 384);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        view_->setSource(std::move(source));
        view_->setCentreAndScale({256, 192}, 1);  // screen pixel = level-0 pixel
    }

    QRgb shownPixel(QPoint p) const {
        return view_->grab().toImage().convertToFormat(QImage::Format_RGB32).pixel(p);
    }

    template <typename T>
    T* child(const QString& name) const {
        T* found = panel_->findChild<T*>(name);
        if (found == nullptr)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

private slots:
    void cleanup() {
        panel_.reset();
        view_.reset();
    }

    void scaleBarTakesARoundLengthOfAtMost200Pixels() {
        struct Case {
            double micronsPerPixel, scale, micrometres, pixels;
            const char* label;
        };
        const Case cases[] = {
            {0.25, 1, 50, 200, "50 µm"},        {1, 1, 200, 200, "200 µm"},
            {0.5, 0.1, 1000, 200, "1 mm"},      {0.25, 0.03, 1000, 120, "1 mm"},
            {0.5, 0.0123, 5000, 123, "5 mm"},   {0.25, 8, 5, 160, "5 µm"},
            {0.25, 64, 0.5, 128, "0.5 µm"},     {0.5, 0.25, 200, 100, "200 µm"},
            {0.25, 0.001, 50000, 200, "50 mm"}, {0.3, 1, 50, 50 / 0.3, "50 µm"},
        };
        for (const Case& c : cases) {
            const auto bar = tileflow::gui::chooseScaleBar(c.micronsPerPixel, c.scale);
            QVERIFY(bar.has_value());
            QVERIFY2(std::abs(bar->micrometres - c.micrometres) < 1e-9 * c.micrometres,
                     qPrintable(QString::number(bar->micrometres)));
            QVERIFY(std::abs(bar->screenPixels - c.pixels) < 1e-6);
            QCOMPARE(bar->label, QString::fromUtf8(c.label));
        }
        QVERIFY(!tileflow::gui::chooseScaleBar(0, 1).has_value());
    }

    void turningAChannelOffRemovesItFromTheComposite() {
        show(hashedSource(3));
        const QPoint p(100, 50);
        const double v1 = sampleAt(0, 1, p.x(), p.y());
        const double v2 = sampleAt(0, 2, p.x(), p.y());
        const double v0 = sampleAt(0, 0, p.x(), p.y());
        QCOMPARE(child<QCheckBox>("visible0")->text(), QStringLiteral("C0"));
        // Defaults: channel 0 blue, 1 green, 2 red, each over 0..65535.
        QTRY_COMPARE_WITH_TIMEOUT(
            shownPixel(p), qRgb(byteOf(v2, 0, 65535), byteOf(v1, 0, 65535), byteOf(v0, 0, 65535)),
            5000);
        child<QCheckBox>("visible0")->setChecked(false);
        QVERIFY(!view_->channels()[0].visible);
        QTRY_COMPARE_WITH_TIMEOUT(shownPixel(p),
                                  qRgb(byteOf(v2, 0, 65535), byteOf(v1, 0, 65535), 0), 5000);
    }

    void changingARangeRemapsTheChannel() {
        show(hashedSource(3));
        const QPoint p(300, 200);
        child<QCheckBox>("visible0")->setChecked(false);
        child<QCheckBox>("visible2")->setChecked(false);
        const double v1 = sampleAt(0, 1, p.x(), p.y());
        child<QDoubleSpinBox>("low1")->setValue(v1 - 1000);
        child<QDoubleSpinBox>("high1")->setValue(v1 + 3000);
        QCOMPARE(view_->channels()[1].range.low, v1 - 1000);
        QCOMPARE(view_->channels()[1].range.high, v1 + 3000);
        QTRY_COMPARE_WITH_TIMEOUT(shownPixel(p), qRgb(0, 64, 0), 5000);  // a quarter of 255
    }

    void autoRangeTakesThePercentilesOfTheCoarsestLevel() {
        show(hashedSource(2));
        for (int c = 0; c < 2; ++c) {
            std::vector<double> values;
            for (std::int64_t y = 0; y < kHeight / kCoarseFactor; ++y) {
                for (std::int64_t x = 0; x < kWidth / kCoarseFactor; ++x)
                    values.push_back(sampleAt(1, c, x, y));
            }
            const double low = percentile(values, 0.001);
            const double high = percentile(values, 0.999);
            child<QPushButton>(QStringLiteral("auto%1").arg(c))->click();
            QTRY_COMPARE_WITH_TIMEOUT(view_->channels()[static_cast<std::size_t>(c)].range.low, low,
                                      5000);
            QCOMPARE(view_->channels()[static_cast<std::size_t>(c)].range.high, high);
            QCOMPARE(child<QDoubleSpinBox>(QStringLiteral("low%1").arg(c))->value(), low);
            QCOMPARE(child<QDoubleSpinBox>(QStringLiteral("high%1").arg(c))->value(), high);
        }
    }

    void anRgbSlideShowsItsChannelsReadOnly() {
        show(constantSource({600, 400}, 3));
        QCOMPARE(view_->channels().size(), std::size_t{3});
        for (const char* name : {"visible0", "colour1", "low2", "high0", "auto1"})
            QVERIFY(!child<QWidget>(QString::fromLatin1(name))->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(shownPixel({10, 10}), qRgb(90, 90, 90), 5000);
    }

    void clickingTheOverviewRecentresTheView() {
        show(constantSource({4096, 2048}, 1));
        Overview overview(view_.get());
        overview.resize(200, 200);
        overview.show();
        QVERIFY(QTest::qWaitForWindowExposed(&overview));
        const double scale = view_->transform().scale;
        // The image fits as 200 x 100 widget pixels, centred: 4096 / 200 level-0 pixels each.
        QTest::mouseClick(&overview, Qt::LeftButton, {}, QPoint(50, 100));
        QCOMPARE(view_->transform().centre, QPointF(1024, 1024));
        QTest::mouseClick(&overview, Qt::LeftButton, {}, QPoint(150, 75));
        QCOMPARE(view_->transform().centre, QPointF(3072, 512));
        QCOMPARE(view_->transform().scale, scale);
    }
};

QTEST_MAIN(TestViewerPanels)
#include "test_viewer_panels.moc"
