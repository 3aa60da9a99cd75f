#include "atomic_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

#include "tileflow/error.hpp"

namespace tileflow::detail {

std::string errnoText(int err) {
    return std::generic_category().message(err);
}

std::string uniquePathBeside(const std::string& path, std::string_view tag) {
    std::random_device device;
    const std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
    std::array<char, 17> hex{};
    std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(bits));
    return path + "." + std::string(tag) + "-" + std::to_string(::getpid()) + "-" + hex.data();
}

std::string temporaryPathFor(const std::string& path) {
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
