// The part of an OME-XML document (OME-TIFF ImageDescription) that TiffSource needs: the
// first Image's Pixels element and its Channel elements.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tileflow::detail {

struct OmePixels {
    int sizeC = 1;
    int sizeZ = 1;
    int sizeT = 1;
    std::string dimensionOrder = "XYZCT";
    std::vector<std::string> channelNames;  // one per Channel element; "" when unnamed
    std::optional<double> micronsPerPixel;  // PhysicalSizeX converted to µm
};

// nullopt when `xml` is not an OME-XML document (its root element is not OME). Throws
// tileflow::IoError "<path>: ..." when it is one but lacks a usable Pixels element.
std::optional<OmePixels> parseOmeXml(std::string_view xml, const std::string& path);

// Index of the plane (c, z, t) among the planes of `pixels`, following DimensionOrder.
long long omePlaneIndex(const OmePixels& pixels, int c, int z, int t);

}  // namespace tileflow::detail
