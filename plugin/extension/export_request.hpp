// What the user asked an export to write: a plain value, filled by ExportDialog and carried
// out by ProcessingController::exportTo(), so either can be used without the other.
#pragma once

#include <QRect>
#include <QString>
#include <cstdint>
#include <optional>
#include <string>

namespace tileflow::plugin {

struct ExportRequest {
    QString path;   // .tif/.tiff: pyramidal BigTIFF; .zarr: OME-Zarr (createSink decides)
    int level = 0;  // the source's pyramid level to process
    // In level-0 pixels; the part outside the image is dropped. None: the whole image.
    std::optional<QRect> region;
    // OutputSettings::compression: the writer's own name; none: the writer's default.
    std::optional<std::string> compression;
    std::int64_t tileSize = 512;  // TIFF tile or zarr chunk side
    friend bool operator==(const ExportRequest&, const ExportRequest&) = default;
};

}  // namespace tileflow::plugin
