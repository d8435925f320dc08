// PNG images in memory, for pictures embedded in report.html as data: URIs. libpng writes them
// (deflate-compressed, so a picture of smooth colour regions takes a fraction of its raw size).
// Pure: nothing is read or written but the returned bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace results {

// 8-bit pixels, row-major from the top row, each pixel `channels` bytes: 3 = RGB, 4 = RGBA.
struct Image {
  int width = 0, height = 0;
  int channels = 3;
  std::vector<std::uint8_t> pixels;  // width * height * channels
};

// The PNG file of the image. REQUIRES width, height >= 1, channels 3 or 4 and pixels of that
// size; throws std::runtime_error with libpng's message if it fails.
std::string encode_png(const Image& image);

}  // namespace results
