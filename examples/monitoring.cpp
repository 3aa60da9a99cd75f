// Monitoring a run: progress and ETA while it goes, then throughput, tile latency, memory
// and energy (with its CO2 equivalent) once it has finished.
//
//   monitoring [INPUT] [OUTPUT] [--size N] [--energy-log FILE.csv]
//
// Runs a Sobel filter over INPUT (default: a synthetic N x N 2-channel u16 image, N = 2048;
// try --size 20000) into OUTPUT (default edges.tif). With --energy-log, the run's energy is
// appended to FILE.csv. Energy comes from Linux RAPL counters; where they cannot be read
// (most virtual machines, or without root) it is reported as unavailable, never estimated.
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

namespace {

double mib(std::int64_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "energy-log"});
        const std::int64_t size = args.integer("size", 2048);
        const std::string energyLog = args.text("energy-log", "");
        const std::string input =
            args.file(0, tileflow::SyntheticSpec{.size = {size, size}, .channels = 2}.toString());
        const std::string output = args.file(1, "edges.tif");
        const std::unique_ptr<tileflow::Source> source = tileflow::openSource(input);
        const std::unique_ptr<tileflow::Sink> sink = tileflow::createSink(output);
        const tileflow::TileFlow flow(tileflow::createOperation("sobel"), {.tile = {512, 512}});

        // Each monitor watches one aspect; the composite hands every callback to all of them.
        tileflow::ProgressMonitor progress(
            "sobel", [](const std::string& line) { std::printf("%s\n", line.c_str()); });
        tileflow::MetricsMonitor metrics;
        tileflow::MemoryMonitor memory;
        tileflow::EnergyMonitor energy({.runName = "monitoring example", .csvLog = energyLog});
        tileflow::CompositeMonitor all{&progress, &metrics, &memory, &energy};
        flow.run(*source, *sink, {&all});

        const tileflow::MetricsMonitor::Summary m = metrics.summary();
        std::printf("tiles: %lld in %.2f s, %.1f MP/s\n", static_cast<long long>(m.tiles),
                    m.totalSeconds, m.megapixelsPerSecond);
        std::printf("tile latency: p50 %.3f ms, p95 %.3f ms, max %.3f ms\n",
                    *m.latencyP50Seconds * 1e3, *m.latencyP95Seconds * 1e3,
                    *m.latencyMaxSeconds * 1e3);

        const tileflow::MemoryMonitor::Summary mem = memory.summary();
        if (mem.maxRssBytes)
            std::printf("memory: RSS up to %.1f MiB, ", mib(*mem.maxRssBytes));
        else
            std::printf("memory: RSS unavailable, ");
        std::printf("engine buffers up to %.1f MiB\n", mib(mem.enginePeakBytes));

        const tileflow::EnergyMonitor::Report e = energy.report().value();
        if (e.joules) {
            std::printf("energy: %.1f J = %.6f kWh, %.6f kg CO2e at %.0f g/kWh\n", *e.joules,
                        *e.kilowattHours, *e.emissionsKg, e.gridIntensity);
        } else {
            std::printf("energy: unavailable (no readable RAPL counters)\n");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "monitoring: %s\n", e.what());
        return 1;
    }
    return 0;
}
