#include "ome_xml.hpp"

#include <charconv>
#include <cstdint>
#include <map>
#include <utility>

#include "tileflow/error.hpp"

namespace tileflow::detail {

namespace {

struct Tag {
    std::string name;  // local name, without a namespace prefix
    std::map<std::string, std::string> attributes;
    bool closing = false;
};

std::string localName(std::string_view name) {
    const auto colon = name.find(':');
    return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// Replaces the predefined entities and character references; unknown ones are kept as is.
std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
        if (semi == std::string_view::npos || semi - i > 12) {
            out += text[i];
            continue;
        }
        const std::string_view entity = text.substr(i + 1, semi - i - 1);
        static const std::pair<std::string_view, char> kNamed[] = {
            {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
        bool done = false;
        for (const auto& [name, ch] : kNamed) {
            if (entity == name) {
                out += ch;
                done = true;
            }
        }
        if (!done && entity.size() > 1 && entity[0] == '#') {
            const bool hex = entity[1] == 'x' || entity[1] == 'X';
            const std::string_view digits = entity.substr(hex ? 2 : 1);
            std::uint32_t cp = 0;
            const auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
            if (ec == std::errc() && end == digits.data() + digits.size() && cp <= 0x10ffff) {
                appendUtf8(out, cp);
                done = true;
            }
        }
        if (done) {
            i = semi;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Walks the elements of an XML document, skipping declarations, comments and CDATA.
class TagReader {
public:
    TagReader(std::string_view xml, const std::string& path) : xml_(xml), path_(path) {}

    // The next start or end tag; nullopt at the end of the document.
    std::optional<Tag> next() {
        while (true) {
            const auto open = xml_.find('<', pos_);
            if (open == std::string_view::npos)
                return std::nullopt;
            pos_ = open;
            if (skip("<?", "?>") || skip("<!--", "-->") || skip("<![CDATA[", "]]>") ||
                skip("<!", ">")) {
                continue;
            }
            return tag();
        }
    }

private:
    bool skip(std::string_view start, std::string_view end) {
        if (xml_.substr(pos_, start.size()) != start)
            return false;
        const auto close = xml_.find(end, pos_ + start.size());
        if (close == std::string_view::npos)
            fail("unterminated " + std::string(start));
        pos_ = close + end.size();
        return true;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw IoError(path_ + ": malformed OME-XML: " + what + " near byte " +
                      std::to_string(pos_));
    }

    Tag tag() {
        Tag t;
        ++pos_;
        if (pos_ < xml_.size() && xml_[pos_] == '/') {
            t.closing = true;
            ++pos_;
        }
        const auto nameEnd = xml_.find_first_of(" \t\r\n/>", pos_);
        if (nameEnd == std::string_view::npos || nameEnd == pos_)
            fail("a tag without a name");
        t.name = localName(xml_.substr(pos_, nameEnd - pos_));
        pos_ = nameEnd;
        while (true) {
            while (pos_ < xml_.size() && isSpace(xml_[pos_]))
                ++pos_;
            if (pos_ >= xml_.size())
                fail("unterminated tag <" + t.name + ">");
            if (xml_[pos_] == '>') {
                ++pos_;
                return t;
            }
            if (xml_.substr(pos_, 2) == "/>") {
                pos_ += 2;
                return t;
            }
            const auto eq = xml_.find('=', pos_);
            if (eq == std::string_view::npos)
                fail("an attribute without a value in <" + t.name + ">");
            std::string_view key = xml_.substr(pos_, eq - pos_);
            while (!key.empty() && isSpace(key.back()))
                key.remove_suffix(1);
            pos_ = eq + 1;
            while (pos_ < xml_.size() && isSpace(xml_[pos_]))
                ++pos_;
            if (pos_ >= xml_.size() || (xml_[pos_] != '"' && xml_[pos_] != '\''))
                fail("an unquoted attribute value in <" + t.name + ">");
            const auto close = xml_.find(xml_[pos_], pos_ + 1);
            if (close == std::string_view::npos)
                fail("an unterminated attribute value in <" + t.name + ">");
            t.attributes[localName(key)] = unescape(xml_.substr(pos_ + 1, close - pos_ - 1));
            pos_ = close + 1;
        }
    }

    std::string_view xml_;
    const std::string& path_;
    std::size_t pos_ = 0;
};

int positiveInt(const Tag& pixels, const char* key, const std::string& path) {
    const auto it = pixels.attributes.find(key);
    if (it == pixels.attributes.end())
        return 1;
    int value = 0;
    const std::string& text = it->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1) {
        throw IoError(path + ": OME-XML Pixels " + key + "=\"" + text +
                      "\" is not a positive integer");
    }
    return value;
}

// Micrometres per unit of an OME length unit; nullopt for units that are not lengths.
std::optional<double> micronsPer(const std::string& unit) {
    static const std::pair<std::string_view, double> kUnits[] = {
        {"\xc2\xb5m", 1},   {"\xce\xbcm", 1},
        {"um", 1},          {"m", 1e6},
        {"cm", 1e4},        {"mm", 1e3},
        {"nm", 1e-3},       {"pm", 1e-6},
        {"\xc3\x85", 1e-4}, {"\xe2\x84\xab", 1e-4},
        {"in", 25400},
    };
    for (const auto& [name, factor] : kUnits) {
        if (unit == name)
            return factor;
    }
    return std::nullopt;
}

}  // namespace

std::optional<OmePixels> parseOmeXml(std::string_view xml, const std::string& path) {
    std::size_t start = 0;
    while (start < xml.size() && isSpace(xml[start]))
        ++start;
    if (start >= xml.size() || xml[start] != '<')
        return std::nullopt;
    TagReader reader(xml, path);
    std::optional<Tag> tag = reader.next();
    if (!tag || tag->closing || tag->name != "OME")
        return std::nullopt;

    std::optional<OmePixels> result;
    while ((tag = reader.next())) {
        if (!result) {
            if (tag->closing || tag->name != "Pixels")
                continue;
            result.emplace();
            result->sizeC = positiveInt(*tag, "SizeC", path);
            result->sizeZ = positiveInt(*tag, "SizeZ", path);
            result->sizeT = positiveInt(*tag, "SizeT", path);
            const auto order = tag->attributes.find("DimensionOrder");
            if (order != tag->attributes.end())
                result->dimensionOrder = order->second;
            const std::string& o = result->dimensionOrder;
            if (o.size() != 5 || o.compare(0, 2, "XY") != 0 || o.find('Z') == std::string::npos ||
                o.find('C') == std::string::npos || o.find('T') == std::string::npos) {
                // NOLINTNEXTLINE(performance-inefficient-string-concatenation): once, to throw
                throw IoError(path + ": OME-XML DimensionOrder \"" + o + "\" is not valid");
            }
            const auto size = tag->attributes.find("PhysicalSizeX");
            if (size != tag->attributes.end()) {
                const auto unit = tag->attributes.find("PhysicalSizeXUnit");
                const auto factor = micronsPer(
                    unit == tag->attributes.end() ? std::string("\xc2\xb5m") : unit->second);
                double value = 0;
                const std::string& text = size->second;
                const auto [end, ec] =
                    std::from_chars(text.data(), text.data() + text.size(), value);
                if (factor && ec == std::errc() && end == text.data() + text.size() && value > 0) {
                    result->micronsPerPixel = value * *factor;
                }
            }
            continue;
        }
        if (tag->name == "Pixels" && tag->closing)
            break;
        if (tag->name == "Channel" && !tag->closing) {
            const auto name = tag->attributes.find("Name");
            result->channelNames.push_back(name == tag->attributes.end() ? std::string()
                                                                         : name->second);
        }
    }
    if (!result)
        throw IoError(path + ": the OME-XML has no Pixels element");
    return result;
}

long long omePlaneIndex(const OmePixels& pixels, int c, int z, int t) {
    long long index = 0;
    long long stride = 1;
    for (std::size_t i = 2; i < pixels.dimensionOrder.size(); ++i) {
        switch (pixels.dimensionOrder[i]) {
            case 'C':
                index += c * stride;
                stride *= pixels.sizeC;
                break;
            case 'Z':
                index += z * stride;
                stride *= pixels.sizeZ;
                break;
            default:
                index += t * stride;
                stride *= pixels.sizeT;
                break;
        }
    }
    return index;
}

}  // namespace tileflow::detail
