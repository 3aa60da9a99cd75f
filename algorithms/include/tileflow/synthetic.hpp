/// @file
/// A procedural multichannel fluorescence image: any size, never materialised.
///
/// The image is a pure function of (seed, channel, x, y). Cells sit on a jittered grid of
/// 32-pixel cells; whether a cell holds a nucleus, and its position, shape, orientation and
/// brightness, come from a hash of the cell coordinates and the seed, modulated by a coarse
/// "tissue density" field so that the slide has dense and empty areas. Channels:
/// @verbatim
///   0            nuclei: bright, roughly elliptical flat-topped blobs on a dark background,
///   1, 4, 7 ...  cytoplasm: a filled cell body, dimmer over the nucleus,
///   2, 5, 8 ...  membrane: a ring at the cell body's edge,
///   3, 6, 9 ...  diffuse: a smooth bump over the cell body.
/// @endverbatim
/// Each marker channel is expressed by a hashed subset of the cells with a hashed level, and
/// every sample gets deterministic intensity-dependent noise from a hash of (seed, channel,
/// x, y). f32 samples lie in [0, 1]; u8 and u16 samples are that range scaled to the full
/// integer range (rounded).
///
/// Regions: read(region) fills the region from the cells that overlap it, so the pixels of a
/// region are bit-identical however the image is cut into regions, and reading costs the same
/// anywhere in a 100000 x 100000 image as at its origin.
///
/// Coordinates are pixels of the image, as in geometry.hpp.
///
/// Thread-safety: a SyntheticSource is immutable; read() may be called from any number of
/// threads at once (scratch memory is per thread and reused between calls).
///
/// Errors: a malformed spec or an out-of-range size, channel count or dtype throws
/// tileflow::InvalidArgument, as do reads outside the image or into a view of the wrong
/// shape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tileflow/image.hpp"
#include "tileflow/source.hpp"

namespace tileflow {

/// What to generate: size, channels, dtype and seed.
struct SyntheticSpec {
    static constexpr std::int64_t kMaxSide = std::int64_t{1} << 32;  ///< largest side, pixels
    static constexpr int kMaxChannels = 256;                         ///< most channels

    Size size{4096, 4096};     ///< 1 .. kMaxSide pixels per side
    int channels = 4;          ///< 1 .. kMaxChannels
    DType dtype = DType::U16;  ///< u8, u16 or f32
    std::uint64_t seed = 0;    ///< another seed, another slide

    /// Parses "synthetic:WxHxC[:dtype][:seed]", e.g. "synthetic:4096x4096x8:f32:7". dtype is
    /// u8, u16 (the default) or f32; the seed is a decimal integer (default 0).
    static SyntheticSpec parse(std::string_view text);
    /// True when `text` starts with "synthetic:" (so parse() is the parser to ask).
    static bool matches(std::string_view text);
    /// The canonical text, "synthetic:WxHxC:dtype:seed"; parse(toString()) == *this.
    std::string toString() const;

    /// Equal when every field is.
    friend bool operator==(const SyntheticSpec&, const SyntheticSpec&) = default;
};

/// The synthetic slide of a spec, generated region by region; see the file description.
class SyntheticSource final : public Source {
public:
    /// Checks the spec (see SyntheticSpec for the limits).
    explicit SyntheticSource(SyntheticSpec spec);

    ImageInfo info() const override { return {spec_.size, spec_.channels, spec_.dtype}; }
    /// Format "synthetic", one level, channels named by channelName().
    SourceMetadata metadata() const override;
    void read(const Rect& region, ImageView out) const override;

    /// As given to the constructor.
    const SyntheticSpec& spec() const { return spec_; }
    /// "nuclei", "cytoplasm", "membrane", "diffuse"; repeats get a number ("membrane 2").
    std::string channelName(int channel) const;

    /// Materialises `region` (or the whole image): meant for small images and tests.
    Image render(const Rect& region) const;
    /// Materialises the whole image.
    Image render() const { return render(rectOf(spec_.size)); }

private:
    SyntheticSpec spec_;
};

}  // namespace tileflow
