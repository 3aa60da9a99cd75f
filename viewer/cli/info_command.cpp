// tileflow info FILE [--json]: what an image is — format, levels, dtype, channels, pixel
// size, associated images and properties.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "tileflow/error.hpp"
#include "tileflow/open.hpp"

namespace tileflow::cli {

namespace {

nlohmann::json toJson(const std::string& name, const ImageInfo& info, const SourceMetadata& m) {
    nlohmann::json levels = nlohmann::json::array();
    for (const SourceLevel& level : m.levels) {
        levels.push_back({{"width", level.size.width},
                          {"height", level.size.height},
                          {"downsample", level.downsample}});
    }
    nlohmann::json properties = nlohmann::json::object();
    for (const auto& [key, value] : m.properties)
        properties[key] = value;
    nlohmann::json json = {{"file", name},
                           {"format", m.format},
                           {"width", info.size.width},
                           {"height", info.size.height},
                           {"channels", info.channels},
                           {"dtype", dtypeName(info.dtype)},
                           {"channel_names", m.channelNames},
                           {"levels", levels},
                           {"associated_images", m.associatedImages},
                           {"properties", properties}};
    json["microns_per_pixel"] =
        m.micronsPerPixel ? nlohmann::json(*m.micronsPerPixel) : nlohmann::json();
    return json;
}

void printText(std::ostream& out, const std::string& name, const ImageInfo& info,
               const SourceMetadata& m) {
    out << name << '\n'
        << "  format      " << (m.format.empty() ? "unknown" : m.format) << '\n'
        << "  size        " << info.size.width << " x " << info.size.height << '\n'
        << "  dtype       " << dtypeName(info.dtype) << '\n'
        << "  channels    " << info.channels;
    for (std::size_t c = 0; c < m.channelNames.size(); ++c)
        out << (c == 0 ? " (" : ", ") << m.channelNames[c];
    out << (m.channelNames.empty() ? "" : ")") << '\n' << "  pixel size  ";
    if (m.micronsPerPixel) {
        out << *m.micronsPerPixel << " µm\n";
    } else {
        out << "unknown\n";
    }
    out << "  levels      " << m.levels.size() << '\n';
    for (std::size_t l = 0; l < m.levels.size(); ++l) {
        out << "    " << l << ": " << m.levels[l].size.width << " x " << m.levels[l].size.height
            << "  downsample " << m.levels[l].downsample << '\n';
    }
    if (!m.associatedImages.empty()) {
        out << "  associated ";
        for (const auto& a : m.associatedImages)
            out << ' ' << a;
        out << '\n';
    }
    if (!m.properties.empty())
        out << "  properties\n";
    // Long values (OME-XML, say) are cut in the text listing; --json has them whole.
    constexpr std::size_t kLongest = 100;
    for (const auto& [key, value] : m.properties) {
        out << "    " << key << " = " << value.substr(0, kLongest);
        if (value.size() > kLongest)
            out << "... (" << value.size() << " characters)";
        out << '\n';
    }
}

}  // namespace

int runInfo(const std::vector<std::string>& args, std::ostream& out) {
    bool json = false;
    std::vector<std::string> files;
    for (const std::string& arg : args) {
        if (arg == "--json") {
            json = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw InvalidArgument("info: unknown option '" + arg + "'");
        } else {
            files.push_back(arg);
        }
    }
    if (files.size() != 1)
        throw InvalidArgument("info expects one image");
    const auto source = openSource(files[0]);
    const ImageInfo info = source->info();
    const SourceMetadata metadata = source->metadata();
    if (json) {
        out << toJson(files[0], info, metadata).dump(2) << '\n';
    } else {
        printText(out, files[0], info, metadata);
    }
    return 0;
}

}  // namespace tileflow::cli
