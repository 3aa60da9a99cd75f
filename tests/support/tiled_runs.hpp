// Test helpers for operations run through the engine: one run with given options, the
// whole-image run (one tile covering everything), and the check that tile size, chunking,
// streaming and threads change neither pixels nor measurements.
#pragma once

#include <QtTest>
#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/operation.hpp"
#include "tileflow/source.hpp"

namespace tileflow::testing {

struct RunResult {
    Image image;
    std::vector<Measurement> measurements;
};

// Runs `op` on `in` in memory, or streamed from a MemorySource into a MemorySink.
inline RunResult runWith(const std::shared_ptr<const Operation>& op, ConstImageView in,
                         const EngineOptions& options, bool streamed = false) {
    TileFlow flow(options);
    flow.configure(op);
    if (streamed) {
        MemorySource source(in);
        MemorySink sink;
        RunReport report = flow.run(source, sink);
        return {sink.take(), report.measurements};
    }
    ImageInfo info = op->outputInfo(in.info());
    info.size = in.size();
    Image out(info);
    RunReport report = flow.run(in, out.view());
    return {std::move(out), report.measurements};
}

inline RunResult runWhole(const std::shared_ptr<const Operation>& op, ConstImageView in) {
    const std::int64_t side = std::max({in.width(), in.height(), std::int64_t{op->radius()} + 1});
    return runWith(op, in, {.tile = {side, side}});
}

// Every sample of channel c, row by row.
inline std::vector<double> channelValues(ConstImageView v, int c) {
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(v.width() * v.height()));
    for (std::int64_t y = 0; y < v.height(); ++y) {
        for (std::int64_t x = 0; x < v.width(); ++x)
            values.push_back(sampleAt(v, c, x, y));
    }
    return values;
}

inline double measurement(const RunResult& r, const std::string& name) {
    if (const std::optional<double> value = findMeasurement(r.measurements, name))
        return *value;
    throw std::runtime_error("no measurement named " + name);
}

// Same names and bit-identical values (NaN included).
inline bool sameMeasurements(const RunResult& a, const RunResult& b) {
    if (a.measurements.size() != b.measurements.size())
        return false;
    for (std::size_t i = 0; i < a.measurements.size(); ++i) {
        if (a.measurements[i].name != b.measurements[i].name)
            return false;
        if (std::bit_cast<std::uint64_t>(a.measurements[i].value) !=
            std::bit_cast<std::uint64_t>(b.measurements[i].value)) {
            return false;
        }
    }
    return true;
}

// Compares tiled runs (small and odd tiles, chunked, streamed, 1 and 3 threads) with the
// whole-image run, bit for bit. Failures are reported through QVERIFY2; callers check
// QTest::currentTestFailed() afterwards.
inline void verifySeamless(const std::shared_ptr<const Operation>& op, ConstImageView in,
                           const std::vector<Size>& tiles = {{16, 16}, {37, 23}}) {
    const RunResult whole = runWhole(op, in);
    const std::vector<Size> chunks{{0, 0}, {40, 40}, {75, 50}};
    for (Size tile : tiles) {
        for (Size chunk : chunks) {
            for (bool streamed : {false, true}) {
                for (int threads : {1, 3}) {
                    const RunResult tiled = runWith(
                        op, in, {.tile = tile, .chunk = chunk, .threads = threads}, streamed);
                    const QByteArray what =
                        QStringLiteral("%1: tile %2x%3, chunk %4x%5, %6, %7 thread(s)")
                            .arg(QString::fromUtf8(op->id().data(),
                                                   static_cast<qsizetype>(op->id().size())))
                            .arg(tile.width)
                            .arg(tile.height)
                            .arg(chunk.width)
                            .arg(chunk.height)
                            .arg(streamed ? "streamed" : "in memory")
                            .arg(threads)
                            .toUtf8();
                    QVERIFY2(samePixels(tiled.image, whole.image), what.constData());
                    QVERIFY2(sameMeasurements(tiled, whole), what.constData());
                }
            }
        }
    }
}

}  // namespace tileflow::testing
