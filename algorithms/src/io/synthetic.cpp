#include "tileflow/synthetic.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

#include "tileflow/error.hpp"

namespace tileflow {

namespace {

// ---- hashing ------------------------------------------------------------------------------

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// The splitmix64 finaliser: a bijection with good avalanche.
constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

constexpr std::uint64_t combine(std::uint64_t h, std::uint64_t v) {
    return mix(h + (v + 1) * kGolden);
}
constexpr std::uint64_t combine(std::uint64_t h, std::int64_t v) {
    return combine(h, static_cast<std::uint64_t>(v));
}

// 24 bits of `h` as a float in [0, 1).
constexpr float unit(std::uint64_t h) {
    return static_cast<float>(h >> 40) * (1.0f / 16777216.0f);
}

constexpr float smoothstep(float t) {
    return t * t * (3.0f - 2.0f * t);
}

// Independent streams derived from the seed.
constexpr std::uint64_t kCells = 1, kTissue = 2, kNoise = 3;

// ---- the cell model -----------------------------------------------------------------------

constexpr int kCellShift = 5;
constexpr std::int64_t kCell = std::int64_t{1} << kCellShift;  // cell grid pitch in pixels
constexpr int kTissueShift = 6;                                // density lattice: 64 cells
constexpr std::int64_t kReach = 26;  // farthest a cell paints from its centre pixel
constexpr float kBackground = 0.04f;
constexpr std::int64_t kBandSamples = 32768;  // scratch band: 128 KiB of floats

enum class Profile { Nuclei, Cytoplasm, Membrane, Diffuse };

Profile profileOf(int channel) {
    if (channel == 0)
        return Profile::Nuclei;
    constexpr Profile kMarkers[] = {Profile::Cytoplasm, Profile::Membrane, Profile::Diffuse};
    return kMarkers[(channel - 1) % 3];
}

struct Cell {
    std::int64_t cx = 0, cy = 0;  // centre pixel
    float fx = 0, fy = 0;         // sub-pixel part of the centre, in [0, 1)
    // Nucleus ellipse: r2 = (qa dx + qb dy) dx + qc dy^2 is 1 on the nucleus outline.
    float qa = 0, qb = 0, qc = 0;
    float body = 0;     // cell body: r2 * body is 1 on the body outline
    float nucleus = 0;  // channel-0 brightness
    std::int64_t nucleusReach = 0, bodyReach = 0;
    std::uint64_t hash = 0;
};

// Coarse tissue density in [0, 1] at cell (i, j): bilinear value noise on a 64-cell lattice.
float tissueDensity(std::uint64_t seed, std::int64_t i, std::int64_t j) {
    const std::uint64_t key = combine(seed, std::uint64_t{kTissue});
    const std::int64_t li = i >> kTissueShift;
    const std::int64_t lj = j >> kTissueShift;
    const float scale = 1.0f / static_cast<float>(1 << kTissueShift);
    const float ti = smoothstep((static_cast<float>(i & ((1 << kTissueShift) - 1)) + 0.5f) * scale);
    const float tj = smoothstep((static_cast<float>(j & ((1 << kTissueShift) - 1)) + 0.5f) * scale);
    const auto lattice = [&](std::int64_t a, std::int64_t b) {
        return unit(combine(combine(key, a), b));
    };
    const float top = lattice(li, lj) + (lattice(li + 1, lj) - lattice(li, lj)) * ti;
    const float bottom = lattice(li, lj + 1) + (lattice(li + 1, lj + 1) - lattice(li, lj + 1)) * ti;
    return top + (bottom - top) * tj;
}

// The cell at grid position (i, j), or false when it holds no nucleus.
bool makeCell(std::uint64_t seed, std::int64_t i, std::int64_t j, Cell& cell) {
    const std::uint64_t h = combine(combine(combine(seed, std::uint64_t{kCells}), i), j);
    const float density =
        std::clamp((tissueDensity(seed, i, j) - 0.35f) * (1.0f / 0.3f), 0.0f, 1.0f);
    if (unit(h) >= 0.08f + 0.87f * smoothstep(density))
        return false;

    std::uint64_t r = h;
    const auto next = [&r] { return unit(r = mix(r + kGolden)); };
    const float jx = 9.0f + 14.0f * next();  // centre within the cell, away from its edges
    const float jy = 9.0f + 14.0f * next();
    const float a = 5.5f + 3.5f * next();  // semi-axes in pixels, a >= b
    const float b = a * (0.65f + 0.35f * next());
    const float theta = std::numbers::pi_v<float> * next();
    const float k = 1.7f + 0.5f * next();  // body radius / nucleus radius

    cell.cx = (i << kCellShift) + static_cast<std::int64_t>(jx);
    cell.cy = (j << kCellShift) + static_cast<std::int64_t>(jy);
    cell.fx = jx - std::floor(jx);
    cell.fy = jy - std::floor(jy);
    const float c = std::cos(theta);
    const float s = std::sin(theta);
    const float ia = 1.0f / (a * a);
    const float ib = 1.0f / (b * b);
    cell.qa = c * c * ia + s * s * ib;
    cell.qb = 2.0f * c * s * (ia - ib);
    cell.qc = s * s * ia + c * c * ib;
    cell.body = 1.0f / (k * k);
    cell.nucleus = 0.45f + 0.5f * next();
    // Profiles vanish beyond r2 = 1.25 (nucleus) and r2 * body = 1.25 (body).
    cell.nucleusReach = static_cast<std::int64_t>(std::ceil(a * 1.1181f)) + 1;
    cell.bodyReach = std::min(kReach, static_cast<std::int64_t>(std::ceil(a * k * 1.1181f)) + 1);
    cell.hash = r;
    return true;
}

// Expression level of a marker channel in a cell: most cells are positive, some negative.
float markerLevel(const Cell& cell, int channel) {
    const std::uint64_t h = combine(cell.hash, static_cast<std::uint64_t>(channel));
    return (h & 0xff) < 150 ? 0.35f + 0.65f * unit(h) : 0.05f * unit(h);
}

// Paints one cell into `band` (a float plane covering `area`) with max compositing. Every
// sample depends only on its own coordinates, so results do not depend on `area`.
template <typename Shape>
void paint(const Cell& cell, std::int64_t reach, const Rect& area, float* band, Shape shape) {
    const std::int64_t x0 = std::max(cell.cx - reach, area.x);
    const std::int64_t x1 = std::min(cell.cx + reach + 1, area.right());
    const std::int64_t y0 = std::max(cell.cy - reach, area.y);
    const std::int64_t y1 = std::min(cell.cy + reach + 1, area.bottom());
    if (x0 >= x1 || y0 >= y1)
        return;
    const auto first = static_cast<int>(x0 - cell.cx);
    const auto count = static_cast<int>(x1 - x0);
    for (std::int64_t y = y0; y < y1; ++y) {
        const float dy = static_cast<float>(y - cell.cy) - cell.fy;
        const float qy = cell.qb * dy;
        const float dyy = cell.qc * dy * dy;
        float* row = band + (y - area.y) * area.width + (x0 - area.x);
        for (int n = 0; n < count; ++n) {
            const float dx = static_cast<float>(first + n) - cell.fx;
            const float v = shape((cell.qa * dx + qy) * dx + dyy);
            row[n] = row[n] < v ? v : row[n];
        }
    }
}

void paintCell(const Cell& cell, int channel, const Rect& area, float* band) {
    const float body = cell.body;
    switch (profileOf(channel)) {
        case Profile::Nuclei: {
            const float level = cell.nucleus;
            paint(cell, cell.nucleusReach, area, band, [level](float r2) {
                const float t = std::clamp((1.25f - r2) * 2.5f, 0.0f, 1.0f);
                return level * smoothstep(t);
            });
            return;
        }
        case Profile::Cytoplasm: {
            const float level = markerLevel(cell, channel);
            paint(cell, cell.bodyReach, area, band, [level, body](float r2) {
                const float fill = std::clamp((1.0f - r2 * body) * 2.5f, 0.0f, 1.0f);
                return level * fill * std::clamp(r2 - 0.4f, 0.3f, 1.0f);
            });
            return;
        }
        case Profile::Membrane: {
            const float level = markerLevel(cell, channel);
            paint(cell, cell.bodyReach, area, band, [level, body](float r2) {
                const float d = (r2 * body - 1.0f) * 4.0f;
                return level * std::max(0.0f, 1.0f - d * d);
            });
            return;
        }
        case Profile::Diffuse: {
            const float level = markerLevel(cell, channel);
            paint(cell, cell.bodyReach, area, band, [level, body](float r2) {
                const float t = std::max(0.0f, 1.0f - r2 * body);
                return level * t * t;
            });
            return;
        }
    }
}

// A 32-bit integer hash (lowbias32): cheap enough to vectorise across a row.
constexpr std::uint32_t hash32(std::uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    return x ^ (x >> 16);
}

// Signal plus background plus intensity-dependent noise, converted to T. The noise of sample
// x is a hash of the row's key and x (x < 2^32 by the spec's limits, so it is exact).
template <typename T>
void finishRow(const float* signal, std::int64_t count, std::int64_t x0, std::uint32_t rowKey,
               T* out) {
    const auto first = static_cast<std::uint32_t>(x0);
    for (std::int64_t n = 0; n < count; ++n) {
        float v = kBackground + (1.0f - kBackground) * signal[n];
        const std::uint32_t h =
            hash32(rowKey + (first + static_cast<std::uint32_t>(n)) * 0x9E3779B9u);
        const auto sum = static_cast<std::int32_t>((h & 0xffff) + (h >> 16));
        const float noise = static_cast<float>(sum) * (1.0f / 65536.0f) - 1.0f;
        v += noise * (0.015f + 0.06f * v);
        // Clamping to [0, 1] before rounding and clamping the rounded integer give the same
        // result; the integer form is the one the compiler vectorises.
        if constexpr (std::is_same_v<T, float>) {
            v = v < 0.0f ? 0.0f : v;
            out[n] = v > 1.0f ? 1.0f : v;
        } else {
            constexpr std::int32_t kMax = std::numeric_limits<T>::max();
            // NOLINTNEXTLINE(bugprone-incorrect-roundings): a negative v is clamped to 0 anyway
            auto i = static_cast<std::int32_t>(v * static_cast<float>(kMax) + 0.5f);
            i = i < 0 ? 0 : i;
            out[n] = static_cast<T>(i > kMax ? kMax : i);
        }
    }
}

struct Scratch {
    std::vector<Cell> cells;            // present cells, row by row
    std::vector<std::size_t> rowStart;  // index of the first cell of each grid row, plus end
    std::vector<float> band;
};

template <typename T>
void generate(const SyntheticSpec& spec, const Rect& region, ImageView out) {
    thread_local Scratch scratch;
    const std::int64_t i0 = (region.x - kReach - kCell) >> kCellShift;
    const std::int64_t i1 = (region.right() - 1 + kReach) >> kCellShift;
    const std::int64_t j0 = (region.y - kReach - kCell) >> kCellShift;
    const std::int64_t j1 = (region.bottom() - 1 + kReach) >> kCellShift;
    scratch.cells.clear();
    scratch.rowStart.clear();
    for (std::int64_t j = j0; j <= j1; ++j) {
        scratch.rowStart.push_back(scratch.cells.size());
        for (std::int64_t i = i0; i <= i1; ++i) {
            Cell cell;
            if (makeCell(spec.seed, i, j, cell))
                scratch.cells.push_back(cell);
        }
    }
    scratch.rowStart.push_back(scratch.cells.size());

    const std::int64_t bandRows =
        std::clamp<std::int64_t>(kBandSamples / region.width, 1, region.height);
    scratch.band.resize(static_cast<std::size_t>(bandRows * region.width));
    float* band = scratch.band.data();
    const std::uint64_t noiseKey = combine(spec.seed, std::uint64_t{kNoise});

    for (std::int64_t by = region.y; by < region.bottom(); by += bandRows) {
        const Rect area{region.x, by, region.width, std::min(bandRows, region.bottom() - by)};
        const std::int64_t jb0 = std::max(j0, (area.y - kReach - kCell) >> kCellShift);
        const std::int64_t jb1 = std::min(j1, (area.bottom() - 1 + kReach) >> kCellShift);
        const std::size_t first = scratch.rowStart[static_cast<std::size_t>(jb0 - j0)];
        const std::size_t last = scratch.rowStart[static_cast<std::size_t>(jb1 - j0 + 1)];
        for (int c = 0; c < spec.channels; ++c) {
            std::fill_n(band, area.area(), 0.0f);
            for (std::size_t k = first; k < last; ++k)
                paintCell(scratch.cells[k], c, area, band);
            const std::uint64_t channelKey = combine(noiseKey, static_cast<std::uint64_t>(c));
            for (std::int64_t y = area.y; y < area.bottom(); ++y) {
                finishRow(band + (y - area.y) * area.width, area.width, area.x,
                          static_cast<std::uint32_t>(combine(channelKey, y)),
                          out.row<T>(c, y - region.y));
            }
        }
    }
}

// ---- spec text ----------------------------------------------------------------------------

constexpr std::string_view kPrefix = "synthetic:";
constexpr std::string_view kForm =
    "synthetic:WxHxC[:dtype][:seed], e.g. synthetic:4096x4096x8:u16:7";

// 'text' in single quotes.
std::string quoted(std::string_view text) {
    std::string out(1, '\'');
    out.append(text);
    out += '\'';
    return out;
}

[[noreturn]] void badSpec(std::string_view text, const std::string& what) {
    throw InvalidArgument("invalid synthetic image " + quoted(text) + ": " + what + " (expected " +
                          std::string(kForm) + ")");
}

template <typename Int>
bool parseNumber(std::string_view s, Int& value) {
    if (s.empty() || s.front() < '0' || s.front() > '9')
        return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

bool SyntheticSpec::matches(std::string_view text) {
    return text.starts_with(kPrefix);
}

SyntheticSpec SyntheticSpec::parse(std::string_view text) {
    if (!matches(text))
        badSpec(text, "it does not start with 'synthetic:'");
    std::vector<std::string_view> parts;
    for (std::string_view rest = text.substr(kPrefix.size());;) {
        const std::size_t colon = rest.find(':');
        parts.push_back(rest.substr(0, colon));
        if (colon == std::string_view::npos)
            break;
        rest.remove_prefix(colon + 1);
    }
    if (parts.size() > 3)
        badSpec(text, "too many ':' fields");

    SyntheticSpec spec;
    std::int64_t dims[3] = {};
    std::string_view size = parts[0];
    for (int d = 0; d < 3; ++d) {
        const std::size_t x = d < 2 ? size.find('x') : std::string_view::npos;
        if (d < 2 && x == std::string_view::npos)
            badSpec(text, "the size must be WxHxC");
        if (!parseNumber(size.substr(0, x), dims[d]) || dims[d] <= 0) {
            badSpec(text,
                    quoted(size.substr(0, x)) + " is not a positive integer in the size WxHxC");
        }
        size.remove_prefix(d < 2 ? x + 1 : size.size());
    }
    if (dims[0] > kMaxSide || dims[1] > kMaxSide) {
        badSpec(text, "width and height must be at most " + std::to_string(kMaxSide));
    }
    if (dims[2] > kMaxChannels) {
        badSpec(text, "the channel count must be at most " + std::to_string(kMaxChannels));
    }
    spec.size = {dims[0], dims[1]};
    spec.channels = static_cast<int>(dims[2]);

    bool haveDType = false;
    bool haveSeed = false;
    for (std::size_t p = 1; p < parts.size(); ++p) {
        const std::string_view field = parts[p];
        if (const auto dtype = parseDType(field)) {
            if (haveDType || haveSeed)
                badSpec(text, "the dtype must come once, before the seed");
            if (*dtype != DType::U8 && *dtype != DType::U16 && *dtype != DType::F32) {
                badSpec(text, "dtype " + quoted(field) + " is not offered; use u8, u16 or f32");
            }
            spec.dtype = *dtype;
            haveDType = true;
        } else if (parseNumber(field, spec.seed)) {
            if (haveSeed)
                badSpec(text, "the seed is given twice");
            haveSeed = true;
        } else {
            badSpec(text, quoted(field) + " is neither a dtype (u8, u16, f32) nor a decimal seed");
        }
    }
    return spec;
}

std::string SyntheticSpec::toString() const {
    return std::string(kPrefix) + std::to_string(size.width) + "x" + std::to_string(size.height) +
           "x" + std::to_string(channels) + ":" + std::string(dtypeName(dtype)) + ":" +
           std::to_string(seed);
}

SyntheticSource::SyntheticSource(SyntheticSpec spec) : spec_(spec) {
    const auto refuse = [this](const std::string& what) {
        throw InvalidArgument("synthetic image " + spec_.toString() + ": " + what);
    };
    if (spec_.size.width < 1 || spec_.size.height < 1 ||
        spec_.size.width > SyntheticSpec::kMaxSide || spec_.size.height > SyntheticSpec::kMaxSide) {
        refuse("width and height must be between 1 and " + std::to_string(SyntheticSpec::kMaxSide));
    }
    if (spec_.channels < 1 || spec_.channels > SyntheticSpec::kMaxChannels) {
        refuse("the channel count must be between 1 and " +
               std::to_string(SyntheticSpec::kMaxChannels));
    }
    if (spec_.dtype != DType::U8 && spec_.dtype != DType::U16 && spec_.dtype != DType::F32) {
        refuse("the dtype must be u8, u16 or f32");
    }
    try {
        static_cast<void>(info().bytes());
    } catch (const InvalidArgument&) {
        refuse("the image is too large: its byte count overflows 64 bits");
    }
}

std::string SyntheticSource::channelName(int channel) const {
    if (channel < 0 || channel >= spec_.channels) {
        throw InvalidArgument("channel " + std::to_string(channel) + " is outside the " +
                              std::to_string(spec_.channels) + " channels of " + spec_.toString());
    }
    if (channel == 0)
        return "nuclei";
    constexpr std::string_view kNames[] = {"cytoplasm", "membrane", "diffuse"};
    const int round = (channel - 1) / 3;
    std::string name(kNames[(channel - 1) % 3]);
    return round == 0 ? name : name + " " + std::to_string(round + 1);
}

void SyntheticSource::read(const Rect& region, ImageView out) const {
    if (region.width < 0 || region.height < 0 || !rectOf(spec_.size).contains(region)) {
        throw InvalidArgument(spec_.toString() + ": region " + std::to_string(region.width) + "x" +
                              std::to_string(region.height) + "+" + std::to_string(region.x) + "+" +
                              std::to_string(region.y) + " is outside the image");
    }
    if (out.info() != ImageInfo{region.size(), spec_.channels, spec_.dtype}) {
        throw InvalidArgument(
            spec_.toString() + ": the output view must be the region's size with " +
            std::to_string(spec_.channels) + " channels of " + std::string(dtypeName(spec_.dtype)));
    }
    if (region.empty())
        return;
    switch (spec_.dtype) {
        case DType::U8:
            generate<std::uint8_t>(spec_, region, out);
            return;
        case DType::U16:
            generate<std::uint16_t>(spec_, region, out);
            return;
        default:
            generate<float>(spec_, region, out);
            return;
    }
}

Image SyntheticSource::render(const Rect& region) const {
    Image image(ImageInfo{region.size(), spec_.channels, spec_.dtype});
    read(region, image.view());
    return image;
}

SourceMetadata SyntheticSource::metadata() const {
    SourceMetadata m;
    m.format = "synthetic";
    m.levels.push_back({spec_.size, 1});
    for (int c = 0; c < spec_.channels; ++c)
        m.channelNames.push_back(channelName(c));
    return m;
}

}  // namespace tileflow
