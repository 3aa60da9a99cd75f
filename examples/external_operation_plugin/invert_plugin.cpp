// An operation plugin built against an installed TileFlow (see CMakeLists.txt), with one
// operation:
//
//   invert  scale * (max + min - v) per channel, where [min, max] is the range of the
//           integer sample type (so 255 - v for u8, -1 - v for i8), rounded and clamped to
//           that range; scale * (1 - v) for f32. Pointwise (radius 0), output like the input.
//
// It uses only TileFlow's installed public headers: the plugin interface and the
// algorithms library's images, operations and parameters.
#include <QObject>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tileflow/error.hpp"
#include "tileflow/parameters.hpp"
#include "tileflow/plugin/operation_plugin.hpp"

namespace example {

// What hosts show before creating the operation: parameters with type, range and default
// (hosts generate their forms and the `tileflow ops` listing from it).
tileflow::OperationInfo describeInvert() {
    tileflow::ParameterInfo scale;
    scale.name = "scale";
    scale.type = tileflow::ParameterType::Real;
    scale.defaultValue = "1";
    scale.minimum = 0;
    scale.maximum = 10;
    scale.description = "Factor applied to the inverted value";

    tileflow::OperationInfo info;
    info.id = "invert";
    info.name = "Invert";
    info.description =
        "scale * (max + min - v) for integer samples (255 - v for u8), scale * (1 - v) for "
        "f32; per channel, output like the input.";
    info.parameters = {scale};
    return info;  // outputChannels 0 and no outputDType: channels and dtype of the input
}

class Invert final : public tileflow::Operation {
public:
    explicit Invert(double scale) : scale_(scale) {}

    std::string_view id() const override { return "invert"; }
    int radius() const override { return 0; }  // each output pixel needs its own input only
    tileflow::ImageInfo outputInfo(const tileflow::ImageInfo& input) const override {
        return input;
    }

    // `in` holds inRect, `out` exactly outRect; both rectangles are in image coordinates.
    // Called from many threads at once on different tiles, hence const and stateless.
    void process(tileflow::ConstImageView in, const tileflow::Rect& inRect, tileflow::ImageView out,
                 const tileflow::Rect& outRect,
                 const tileflow::StatisticsList& /*statistics*/) const override {
        using tileflow::DType;
        switch (in.dtype()) {
            case DType::U8:
                return invert<std::uint8_t>(in, outRect.relativeTo(inRect), out);
            case DType::I8:
                return invert<std::int8_t>(in, outRect.relativeTo(inRect), out);
            case DType::U16:
                return invert<std::uint16_t>(in, outRect.relativeTo(inRect), out);
            case DType::I16:
                return invert<std::int16_t>(in, outRect.relativeTo(inRect), out);
            case DType::U32:
                return invert<std::uint32_t>(in, outRect.relativeTo(inRect), out);
            case DType::F32:
                return invert<float>(in, outRect.relativeTo(inRect), out);
        }
        throw tileflow::InvalidArgument("invert: unsupported sample type");
    }

private:
    // `r`: the output's pixels within `in`.
    template <typename T>
    void invert(tileflow::ConstImageView in, const tileflow::Rect& r,
                tileflow::ImageView out) const {
        for (int c = 0; c < in.channels(); ++c) {
            for (std::int64_t y = 0; y < r.height; ++y) {
                const T* src = in.row<T>(c, r.y + y) + r.x;
                T* dst = out.row<T>(c, y);
                for (std::int64_t x = 0; x < r.width; ++x)
                    dst[x] = invertSample(src[x]);
            }
        }
    }

    template <typename T>
    T invertSample(T v) const {
        if constexpr (std::is_floating_point_v<T>) {
            return static_cast<T>(scale_ * (1.0 - static_cast<double>(v)));
        } else {
            constexpr double kLow = std::numeric_limits<T>::min();
            constexpr double kHigh = std::numeric_limits<T>::max();
            const double inverted = scale_ * (kHigh + kLow - static_cast<double>(v));
            return static_cast<T>(std::clamp(std::nearbyint(inverted), kLow, kHigh));
        }
    }

    double scale_;
};

// The plugin's root object: Qt creates one when a host loads the module. The JSON file
// (name, version, description) is embedded in the module and read before it is loaded.
class InvertPlugin : public QObject, public tileflow::plugin::OperationPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID FILE "invert_plugin.json")
    Q_INTERFACES(tileflow::plugin::OperationPlugin)

public:
    std::vector<tileflow::OperationInfo> operations() const override { return {describeInvert()}; }

    std::shared_ptr<const tileflow::Operation> create(
        const std::string& id,
        const std::map<std::string, std::string>& parameters) const override {
        if (id != "invert")
            throw tileflow::InvalidArgument("invert-example: unknown operation '" + id + "'");
        // Checks names, types and ranges against the description; throws InvalidArgument.
        const tileflow::Parameters values(describeInvert(), parameters);
        return std::make_shared<Invert>(values.real("scale"));
    }
};

}  // namespace example

#include "invert_plugin.moc"
