// Concurrent per-channel processing: a small thread pool thresholds every channel of a
// multichannel image (Otsu) at the same time, one run per channel.
//
//   concurrent_channels [INPUT] [OUTPUT_DIR] [--size N] [--workers W]
//
// Writes OUTPUT_DIR/channel-<c>.tif (default OUTPUT_DIR: masks), a u8 mask per channel, with
// W worker threads (default 4). Without INPUT a synthetic N x N 6-channel u16 image is used
// (N = 2048 by default, try --size 20000).
//
// What may be shared between threads, and what may not:
//   shared    the Source (read() is thread-safe), the Operation (immutable) and a configured
//             TileFlow: it is const here, so nothing can reconfigure it while runs use it;
//   per run   the Sink (one writer at a time) and the monitors (one run at a time). Views
//             such as ChannelSource are as thread-safe as their source; making one per run
//             costs nothing.
//
// When is this worth it? One run over all channels computes the same per-channel thresholds
// and already keeps every core busy with tiles, so prefer it when one output will do.
// Per-channel runs pay off when each channel is its own deliverable (a file each, as here),
// when channels need different operations, or when one failing must not stop the others.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/synthetic.hpp"
#include "tileflow/tiff_sink.hpp"

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "workers"});
        const std::int64_t size = args.integer("size", 2048);
        const std::int64_t workers = args.integer("workers", 4);
        const std::string input =
            args.file(0, tileflow::SyntheticSpec{.size = {size, size}, .channels = 6}.toString());
        const std::filesystem::path outDir = args.file(1, "masks");
        std::filesystem::create_directories(outDir);
        const std::unique_ptr<const tileflow::Source> source = tileflow::openSource(input);
        // One thread per run: the pool, not the engine, supplies the parallelism here.
        const tileflow::TileFlow flow(tileflow::createOperation("threshold", {{"method", "otsu"}}),
                                      {.tile = {512, 512}, .threads = 1});

        struct Outcome {
            double threshold = 0;
            double megapixelsPerSecond = 0;
            std::string error;
        };
        const int channels = source->info().channels;
        std::vector<Outcome> outcomes(static_cast<std::size_t>(channels));
        std::atomic<int> next{0};
        {
            std::vector<std::jthread> pool;
            pool.reserve(static_cast<std::size_t>(workers));
            for (int w = 0; w < workers; ++w) {
                // Workers share `source` and `flow`, and take channels until none is left.
                pool.emplace_back([&] {
                    for (int c = next++; c < channels; c = next++) {
                        Outcome& outcome = outcomes[static_cast<std::size_t>(c)];  // this run's
                        try {
                            // Per run: a sink and a monitor of its own (and a view).
                            const tileflow::ChannelSource channel(*source, {c});
                            tileflow::TiffSink sink(
                                (outDir / ("channel-" + std::to_string(c) + ".tif")).string());
                            tileflow::MetricsMonitor metrics;
                            const tileflow::RunReport report = flow.run(channel, sink, {&metrics});
                            outcome.threshold = report.measurement("threshold_c0").value();
                            outcome.megapixelsPerSecond = metrics.summary().megapixelsPerSecond;
                        } catch (const std::exception& e) {
                            outcome.error = e.what();
                        }
                    }
                });
            }
        }  // the jthreads join here

        int failures = 0;
        for (int c = 0; c < channels; ++c) {
            const Outcome& o = outcomes[static_cast<std::size_t>(c)];
            if (!o.error.empty()) {
                std::fprintf(stderr, "channel %d: %s\n", c, o.error.c_str());
                ++failures;
                continue;
            }
            std::printf("channel %d: threshold %g, %.1f MP/s\n", c, o.threshold,
                        o.megapixelsPerSecond);
        }
        return failures == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "concurrent_channels: %s\n", e.what());
        return 1;
    }
}
