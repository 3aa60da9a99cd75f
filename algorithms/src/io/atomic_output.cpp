#include "atomic_output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string_view>
#include <system_error>

#include "tileflow/error.hpp"

namespace tileflow::detail {

std::string errnoText(int err) {
    return std::generic_category().message(err);
}

namespace {

constexpr std::size_t kHexDigits = 16;

// This machine's name as it may appear in a file name: letters, digits, '.' and '-'.
const std::string& hostTag() {
    static const std::string tag = [] {
        std::array<char, 256> name{};
        if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0')
            return std::string("localhost");
        std::string text(name.data());
        for (char& c : text) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-')
                c = '_';
        }
        return text;
    }();
    return tag;
}

// The pid of a temporary of ours named "<pid>-<16 hex digits>-<host>[.suffix]" after its prefix, or
// nothing when the rest of the name is not of that form or names another host.
std::optional<pid_t> temporaryOwner(std::string_view rest) {
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos)
        return std::nullopt;
    long long pid = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + dash, pid);
    if (ec != std::errc() || end != rest.data() + dash || pid <= 0)
        return std::nullopt;
    const std::string_view hex = rest.substr(dash + 1, kHexDigits);
    if (hex.size() != kHexDigits ||
        !std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(c) != 0; }))
        return std::nullopt;
    // Then "-<host>", alone or followed by the suffix of a file beside the temporary
    // ("<temporary>.levels").
    const std::string_view tail = rest.substr(dash + 1 + kHexDigits);
    const std::string host = "-" + hostTag();
    if (tail.substr(0, host.size()) != host ||
        (tail.size() > host.size() && tail[host.size()] != '.'))
        return std::nullopt;
    return static_cast<pid_t>(pid);
}

void removeAbandonedTemporaries(const std::string& path) {
    const std::filesystem::path target(path);
    const std::filesystem::path folder =
        target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    const std::string prefix = target.filename().string() + ".tmp-";
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0)
            continue;
        const std::optional<pid_t> owner =
            temporaryOwner(std::string_view(name).substr(prefix.size()));
        if (owner && ::kill(*owner, 0) != 0 && errno == ESRCH) {
            std::error_code ignored;  // best effort: a leftover we cannot remove stays
            std::filesystem::remove_all(entry.path(), ignored);
        }
    }
}

}  // namespace

std::string uniquePathBeside(const std::string& path, std::string_view tag) {
    std::random_device device;
    const std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
    std::array<char, kHexDigits + 1> hex{};
    std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(bits));
    return path + "." + std::string(tag) + "-" + std::to_string(::getpid()) + "-" + hex.data() +
           "-" + hostTag();
}

std::string temporaryPathFor(const std::string& path) {
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    std::error_code error;
    if (!folder.empty() && !std::filesystem::exists(folder, error) && !error) {
        throw IoError("cannot write '" + path + "': the folder '" + folder.string() +
                      "' does not exist");
    }
    removeAbandonedTemporaries(path);
    return uniquePathBeside(path, "tmp");
}

void syncParentFolder(const std::string& path) {
    std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (folder.empty())
        folder = ".";
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        throw IoError("cannot open the folder '" + folder.string() + "': " + errnoText(errno));
    const int synced = ::fsync(dir);
    const int err = errno;
    ::close(dir);
    if (synced != 0)
        throw IoError("syncing the folder '" + folder.string() + "' failed: " + errnoText(err));
}

}  // namespace tileflow::detail
