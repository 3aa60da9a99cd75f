// PixelProbe: the pixel values under the cursor, read in the background.
//
// probe() asks for the level-0 pixel at a point of the image; one read at a time runs on a
// thread of the probe's own, and while it runs only the newest point asked for waits (a
// cursor sweeping the view asks many times; the reads in between are skipped). valuesRead
// reports the point and its values, one per channel, formatted for the status bar
// ("1234, 56, 7" for integers, three significant decimals for f32); points outside the
// image report nothing. setSource() forgets what was asked of the old source.
//
// Threads: create, call and destroy on the GUI thread, where signals are emitted; the
// worker touches only the source. Destroying the probe waits for a read in progress.
// Errors: a read that throws reports its message instead of values.
#pragma once

#include <QObject>
#include <QPoint>
#include <QString>
#include <QThreadPool>
#include <memory>
#include <optional>

#include "tileflow/source.hpp"

namespace tileflow::gui {

// The channel values of a one-pixel image, as valuesRead shows them.
QString pixelValuesText(ConstImageView pixel);

class PixelProbe final : public QObject {
    Q_OBJECT

public:
    explicit PixelProbe(QObject* parent = nullptr);
    ~PixelProbe() override;

    void setSource(std::shared_ptr<const Source> source);
    void probe(const QPoint& level0);

signals:
    void valuesRead(const QPoint& level0, const QString& values);

private:
    void start(const QPoint& level0);
    void finish(int serial, const QPoint& level0, const QString& values);

    std::shared_ptr<const Source> source_;
    QThreadPool pool_;
    bool reading_ = false;
    std::optional<QPoint> next_;
    int serial_ = 0;
};

}  // namespace tileflow::gui
