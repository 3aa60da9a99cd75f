#include "tileflow/limits.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <mutex>

#include "tileflow/error.hpp"

namespace tileflow {

namespace {

constexpr std::int64_t kGiB = std::int64_t{1} << 30;

std::mutex& limitsMutex() {
    static std::mutex mutex;
    return mutex;
}

ResourceLimits& currentLimits() {
    static ResourceLimits limits;
    return limits;
}

std::string raiseHint(std::string_view field) {
    return "ResourceLimits::" + std::string(field) + "; raise it with tileflow::setResourceLimits";
}

void requirePositive(std::string_view field, std::int64_t value) {
    if (value <= 0) {
        throw InvalidArgument("resource limits: " + std::string(field) + " must be positive, not " +
                              std::to_string(value));
    }
}

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return lower(x) == lower(y); });
}

// The power of 1024 a unit letter stands for, or -1.
int unitShift(char unit) {
    switch (lower(unit)) {
        case 'k':
            return 10;
        case 'm':
            return 20;
        case 'g':
            return 30;
        case 't':
            return 40;
        default:
            return -1;
    }
}

}  // namespace

std::int64_t defaultMaxMemoryBytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0)
        return kGiB;
    return std::max(kGiB, std::int64_t{pages} * std::int64_t{pageSize} / 2);
}

void ResourceLimits::checkPixels(std::string_view what, std::int64_t width,
                                 std::int64_t height) const {
    std::int64_t pixels = 0;
    if (!__builtin_mul_overflow(width, height, &pixels) && pixels <= maxPixels)
        return;
    throw LimitError(std::string(what) + " claims " + std::to_string(width) + "x" +
                     std::to_string(height) + " pixels, more than the limit of " +
                     std::to_string(maxPixels) + " pixels per level (" + raiseHint("maxPixels") +
                     ")");
}

void ResourceLimits::checkChannels(std::string_view what, std::int64_t channels) const {
    if (channels <= maxChannels)
        return;
    throw LimitError(std::string(what) + " has too many channels: " + std::to_string(channels) +
                     ", more than the limit of " + std::to_string(maxChannels) + " (" +
                     raiseHint("maxChannels") + ")");
}

void ResourceLimits::checkTile(std::string_view what, std::string_view unit,
                               std::int64_t bytes) const {
    if (bytes > maxTileBytes) {
        throw LimitError(std::string(what) + " needs " + formatByteSize(bytes) +
                         ", more than the limit of " + formatByteSize(maxTileBytes) + " per " +
                         std::string(unit) + " (" + raiseHint("maxTileBytes") + ")");
    }
    checkMemory(what, bytes);
}

void ResourceLimits::checkMemory(std::string_view what, std::int64_t bytes) const {
    if (bytes <= maxMemoryBytes)
        return;
    throw LimitError(std::string(what) + " needs " + formatByteSize(bytes) +
                     ", more than the memory limit of " + formatByteSize(maxMemoryBytes) +
                     " (raise it with --max-memory on the command line, or "
                     "ResourceLimits::maxMemoryBytes with tileflow::setResourceLimits)");
}

ResourceLimits resourceLimits() {
    std::lock_guard lock(limitsMutex());
    return currentLimits();
}

void setResourceLimits(const ResourceLimits& limits) {
    requirePositive("maxPixels", limits.maxPixels);
    requirePositive("maxChannels", limits.maxChannels);
    requirePositive("maxTileBytes", limits.maxTileBytes);
    if (limits.maxMemoryBytes < kMinMaxMemoryBytes) {
        throw InvalidArgument("resource limits: maxMemoryBytes must be at least 1 MiB, not " +
                              std::to_string(limits.maxMemoryBytes));
    }
    std::lock_guard lock(limitsMutex());
    currentLimits() = limits;
}

std::optional<std::int64_t> parseByteSize(std::string_view text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [next, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || next == text.data())
        return std::nullopt;
    std::string_view suffix(next, static_cast<std::size_t>(end - next));
    int shift = 0;
    if (!suffix.empty() && unitShift(suffix[0]) >= 0) {
        shift = unitShift(suffix[0]);
        suffix.remove_prefix(1);
        if (equalsIgnoringCase(suffix, "ib"))
            suffix = {};
    }
    if (!suffix.empty() && !equalsIgnoringCase(suffix, "b"))
        return std::nullopt;
    constexpr auto kLargest = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (value > kLargest >> shift)
        return std::nullopt;
    return static_cast<std::int64_t>(value << shift);
}

std::string formatByteSize(std::int64_t bytes) {
    static constexpr std::array<const char*, 5> kUnits{"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " bytes";
    std::size_t unit = 0;
    while (unit + 1 < kUnits.size() && bytes >> (10 * (unit + 2)) > 0)
        ++unit;
    const int shift = 10 * static_cast<int>(unit + 1);
    if (bytes % (std::int64_t{1} << shift) == 0)
        return std::to_string(bytes >> shift) + " " + kUnits[unit];
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f %s",
                  static_cast<double>(bytes) / static_cast<double>(std::int64_t{1} << shift),
                  kUnits[unit]);
    return text.data();
}

}  // namespace tileflow
