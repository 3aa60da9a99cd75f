// tissue: tissue mask of an RGB(A) brightfield slide, u8 out (255 = tissue).
//
// Channels 0, 1, 2 are read as R, G, B and scaled to [0, 1] (u8 / 255, u16 / 65535, f32 as
// it is); a fourth channel (alpha) is ignored. With V = max(R, G, B) and the HSV saturation
// S = (V - min(R, G, B)) / V (0 where V = 0), a pixel is tissue when S >= saturation (stained
// tissue is coloured; white glass and grey dust are not) and V <= max_brightness (excludes
// the bright background). Computed in double precision. Pointwise: radius 0.
#include <algorithm>

#include "kernels.hpp"
#include "tileflow/error.hpp"

namespace tileflow::kernels {

namespace {

class Tissue final : public Operation {
public:
    Tissue(double saturation, double maxBrightness)
        : saturation_(saturation), maxBrightness_(maxBrightness) {}

    std::string_view id() const override { return "tissue"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        if (input.channels != 3 && input.channels != 4) {
            throw InvalidArgument("tissue: needs an RGB or RGBA image (3 or 4 channels), got " +
                                  std::to_string(input.channels) + " channel(s)");
        }
        if (input.dtype != DType::U8 && input.dtype != DType::U16 && input.dtype != DType::F32) {
            throw InvalidArgument("tissue: needs u8, u16 or f32 samples, got " +
                                  std::string(dtypeName(input.dtype)));
        }
        return {input.size, 1, DType::U8};
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        switch (in.dtype()) {
            case DType::U8:
                return run<std::uint8_t>(in, inRect, out, outRect, 255.0);
            case DType::U16:
                return run<std::uint16_t>(in, inRect, out, outRect, 65535.0);
            default:
                return run<float>(in, inRect, out, outRect, 1.0);
        }
    }

private:
    template <typename T>
    void run(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
             double full) const {
        const Rect r = outRect.relativeTo(inRect);
        for (std::int64_t y = 0; y < r.height; ++y) {
            const T* red = in.row<T>(0, r.y + y) + r.x;
            const T* green = in.row<T>(1, r.y + y) + r.x;
            const T* blue = in.row<T>(2, r.y + y) + r.x;
            std::uint8_t* dst = out.row<std::uint8_t>(0, y);
            for (std::int64_t x = 0; x < r.width; ++x) {
                const double hi =
                    std::max({static_cast<double>(red[x]), static_cast<double>(green[x]),
                              static_cast<double>(blue[x])});
                const double lo =
                    std::min({static_cast<double>(red[x]), static_cast<double>(green[x]),
                              static_cast<double>(blue[x])});
                const double s = hi > 0 ? (hi - lo) / hi : 0;
                dst[x] = s >= saturation_ && hi / full <= maxBrightness_ ? 255 : 0;
            }
        }
    }

    double saturation_;
    double maxBrightness_;
};

}  // namespace

OperationInfo describeTissue() {
    ParameterInfo saturation{"saturation",
                             ParameterType::Real,
                             "0.07",
                             0,
                             1,
                             {},
                             "",
                             "Minimum HSV saturation (max - min) / max of tissue"};
    ParameterInfo maxBrightness{"max_brightness",
                                ParameterType::Real,
                                "0.92",
                                0,
                                1,
                                {},
                                "",
                                "Maximum brightness max(R, G, B), scaled to [0, 1], of tissue; "
                                "brighter pixels are background"};
    return {"tissue",
            "Tissue mask",
            "Tissue mask of an RGB brightfield slide (3 or 4 channels, u8, u16 or f32 in [0, 1]; "
            "alpha ignored): 255 where the HSV saturation is at least `saturation` and the "
            "brightness max(R, G, B) at most `max_brightness`, else 0. Output u8, one channel.",
            {saturation, maxBrightness}};
}

std::shared_ptr<const Operation> createTissue(const Parameters& p) {
    return std::make_shared<Tissue>(p.real("saturation"), p.real("max_brightness"));
}

}  // namespace tileflow::kernels
