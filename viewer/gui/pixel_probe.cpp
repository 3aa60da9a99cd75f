#include "gui/pixel_probe.hpp"

#include <QStringList>
#include <exception>

#include "tileflow/thread_priority.hpp"

namespace tileflow::gui {

QString pixelValuesText(ConstImageView pixel) {
    QStringList values;
    for (int c = 0; c < pixel.channels(); ++c) {
        visitDType(pixel.dtype(), [&](auto sample) {
            using T = decltype(sample);
            const T value = pixel.row<T>(c, 0)[0];
            if constexpr (std::is_floating_point_v<T>)
                values << QString::number(value, 'g', 3);
            else
                values << QString::number(value);
        });
    }
    return values.join(QStringLiteral(", "));
}

PixelProbe::PixelProbe(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
}

PixelProbe::~PixelProbe() {
    pool_.waitForDone();
}

void PixelProbe::setSource(std::shared_ptr<const Source> source) {
    source_ = std::move(source);
    next_.reset();
    ++serial_;
}

void PixelProbe::probe(const QPoint& level0) {
    if (!source_)
        return;
    const Size size = source_->info().size;
    if (level0.x() < 0 || level0.y() < 0 || level0.x() >= size.width || level0.y() >= size.height)
        return;
    if (reading_) {
        next_ = level0;
        return;
    }
    start(level0);
}

void PixelProbe::start(const QPoint& level0) {
    reading_ = true;
    pool_.start([this, serial = serial_, source = source_, level0] {
        makeCurrentThreadBackground();
        QString values;
        try {
            const ImageInfo info = source->info();
            Image pixel(ImageInfo{{1, 1}, info.channels, info.dtype});
            source->read({level0.x(), level0.y(), 1, 1}, pixel.view());
            values = pixelValuesText(pixel.view());
        } catch (const std::exception& e) {
            values = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this, [this, serial, level0, values] { finish(serial, level0, values); },
            Qt::QueuedConnection);
    });
}

void PixelProbe::finish(int serial, const QPoint& level0, const QString& values) {
    reading_ = false;
    if (serial == serial_)
        emit valuesRead(level0, values);
    if (next_) {
        const QPoint point = *next_;
        next_.reset();
        start(point);
    }
}

}  // namespace tileflow::gui
