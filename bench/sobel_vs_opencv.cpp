// Sobel magnitude: TileFlow (tiled, through the engine) against OpenCV in the same process on
// the same f32 synthetic image, buffers allocated once and reused, best of N after a warm-up.
//
// usage: sobel_vs_opencv [SIZE [CHANNELS [TILE [REPEAT]]]]   (defaults 16384 8 512 3)
// Prints one JSON object. OpenCV runs cv::Sobel (dx, then dy; 3x3, BORDER_REFLECT_101 which is
// scipy's "mirror") and cv::magnitude per channel, with its own thread pool.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "tileflow/engine.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

namespace {

double bestOf(int repeat, const std::function<void()>& work) {
    work();
    double best = 1e300;
    for (int i = 0; i < repeat; ++i) {
        const auto begin = std::chrono::steady_clock::now();
        work();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    }
    return best;
}

// A cv::Mat header over one channel; OpenCV has no read-only Mat, and reads sources only.
cv::Mat plane(tileflow::ConstImageView view, int c) {
    return cv::Mat(static_cast<int>(view.height()), static_cast<int>(view.width()), CV_32F,
                   const_cast<float*>(view.row<float>(c, 0)),
                   static_cast<std::size_t>(view.rowStride()));
}

}  // namespace

int main(int argc, char** argv) {
    const std::int64_t size = argc > 1 ? std::atoll(argv[1]) : 16384;
    const int channels = argc > 2 ? std::atoi(argv[2]) : 8;
    const std::int64_t tile = argc > 3 ? std::atoll(argv[3]) : 512;
    const int repeat = argc > 4 ? std::atoi(argv[4]) : 3;

    const tileflow::SyntheticSource source({{size, size}, channels, tileflow::DType::F32, 1});
    const tileflow::Image input = tileflow::readImage(source);
    tileflow::Image output(tileflow::DType::F32, channels, size, size);

    const tileflow::TileFlow flow =
        tileflow::TileFlow({.tile = {tile, tile}}).configure(tileflow::createOperation("sobel"));
    const double tileflowSeconds = bestOf(repeat, [&] { flow.run(input, output); });

    cv::Mat gx(static_cast<int>(size), static_cast<int>(size), CV_32F);
    cv::Mat gy(static_cast<int>(size), static_cast<int>(size), CV_32F);
    const double opencvSeconds = bestOf(repeat, [&] {
        for (int c = 0; c < channels; ++c) {
            cv::Mat dst = plane(output, c);
            cv::Sobel(plane(input, c), gx, CV_32F, 1, 0, 3, 1, 0, cv::BORDER_REFLECT_101);
            cv::Sobel(plane(input, c), gy, CV_32F, 0, 1, 3, 1, 0, cv::BORDER_REFLECT_101);
            cv::magnitude(gx, gy, dst);
        }
    });

    const double mpix = static_cast<double>(size) * static_cast<double>(size) * channels / 1e6;
    std::cout << "{\"size\":" << size << ",\"channels\":" << channels << ",\"tile\":" << tile
              << ",\"threads\":" << omp_get_max_threads()
              << ",\"opencv_threads\":" << cv::getNumThreads()
              << ",\"tileflow_mpix_per_s\":" << mpix / tileflowSeconds
              << ",\"opencv_mpix_per_s\":" << mpix / opencvSeconds
              << ",\"speedup\":" << opencvSeconds / tileflowSeconds << "}\n";
    return 0;
}
