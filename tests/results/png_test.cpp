#include "results/png.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdint>
#include <vector>

namespace results {
namespace {

// The pixels libpng reads back from `file`, in `format`.
std::vector<std::uint8_t> decode(const std::string& file, png_uint_32 format, png_image& png) {
  png = {};
  png.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_memory(&png, file.data(), file.size())) << png.message;
  png.format = format;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(png));
  EXPECT_TRUE(png_image_finish_read(&png, nullptr, pixels.data(), 0, nullptr)) << png.message;
  return pixels;
}

Image gradient(int width, int height, int channels) {
  Image image{.width = width, .height = height, .channels = channels, .pixels = {}};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c)
        image.pixels.push_back(static_cast<std::uint8_t>((x * 7 + y * 13 + c * 50) % 256));
  return image;
}

TEST(Png, RgbReadsBackAsTheSamePixels) {
  const Image image = gradient(5, 3, 3);
  const std::string file = encode_png(image);
  ASSERT_GE(file.size(), 8u);
  EXPECT_EQ(file.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  png_image png;
  EXPECT_EQ(decode(file, PNG_FORMAT_RGB, png), image.pixels);
  EXPECT_EQ(png.width, 5u);
  EXPECT_EQ(png.height, 3u);
  EXPECT_EQ(png.format & PNG_FORMAT_FLAG_ALPHA, 0u);
}

TEST(Png, RgbaKeepsItsAlpha) {
  const Image image = gradient(4, 4, 4);
  png_image png;
  EXPECT_EQ(decode(encode_png(image), PNG_FORMAT_RGBA, png), image.pixels);
}

// Smooth colour, as a decision boundary is, compresses far below its raw size.
TEST(Png, SmoothPicturesAreSmall) {
  Image image{.width = 100, .height = 100, .channels = 3, .pixels = {}};
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 100; ++x)
      image.pixels.insert(image.pixels.end(), {static_cast<std::uint8_t>(y < 50 ? 245 : 8),
                                               static_cast<std::uint8_t>(y < 50 ? 147 : 119),
                                               static_cast<std::uint8_t>(y < 50 ? 34 : 189)});
  EXPECT_LT(encode_png(image).size(), image.pixels.size() / 20);
}

}  // namespace
}  // namespace results
