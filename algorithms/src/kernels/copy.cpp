// copy: the input unchanged. What `tileflow process` runs without --op, to convert an image
// from one format, level, region or channel selection to another.
#include "kernels.hpp"

namespace tileflow::kernels {

namespace {

class Copy final : public Operation {
public:
    std::string_view id() const override { return "copy"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override { return input; }
    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        copyPixels(in.region(outRect.relativeTo(inRect)), out);
    }
};

}  // namespace

OperationInfo describeCopy() {
    return {"copy", "Copy", "The input unchanged (format conversion). Output as the input.", {}};
}

std::shared_ptr<const Operation> createCopy(const Parameters&) {
    return std::make_shared<Copy>();
}

}  // namespace tileflow::kernels
