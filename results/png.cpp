#include "results/png.h"

#include <png.h>

#include <cassert>
#include <stdexcept>

namespace results {

std::string encode_png(const Image& image) {
  assert(image.width >= 1 && image.height >= 1 && (image.channels == 3 || image.channels == 4));
  assert(image.pixels.size() ==
         static_cast<std::size_t>(image.width) * image.height * image.channels);
  // libpng's simplified API: no setjmp, and errors come back as a message in the struct.
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  // A first call with no buffer gives the size the file needs.
  if (png_image_write_get_memory_size(png, size, 0, image.pixels.data(), 0, nullptr)) {
    std::string out(size, '\0');
    if (png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr)) {
      out.resize(size);
      return out;
    }
  }
  const std::string message = png.message;
  png_image_free(&png);
  throw std::runtime_error("PNG encoding failed: " + message);
}

}  // namespace results
