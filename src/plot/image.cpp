#include "pase/plot/image.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "font5x7.hpp"

namespace pase::plot {

Image::Image(int width, int height, Color background)
    : width_(width), height_(height), rgb_(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3) {
  if (width < 1 || height < 1 || width > 20000 || height > 20000)
    throw std::invalid_argument("image size " + std::to_string(width) + "x" + std::to_string(height) + " is not sensible");
  fill_rect(0, 0, width - 1, height - 1, background);
}

Color Image::at(int x, int y) const {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)) * 3;
  return {rgb_[i], rgb_[i + 1], rgb_[i + 2]};
}

void Image::set(int x, int y, Color c) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)) * 3;
  rgb_[i] = c.r;
  rgb_[i + 1] = c.g;
  rgb_[i + 2] = c.b;
}

void Image::fill_rect(int x0, int y0, int x1, int y1, Color c) {
  if (x0 > x1) std::swap(x0, x1);
  if (y0 > y1) std::swap(y0, y1);
  for (int y = std::max(y0, 0); y <= std::min(y1, height_ - 1); ++y)
    for (int x = std::max(x0, 0); x <= std::min(x1, width_ - 1); ++x) set(x, y, c);
}

void Image::line(double x0, double y0, double x1, double y1, Color c, int thickness, int dash) {
  const double length = std::hypot(x1 - x0, y1 - y0);
  const int steps = std::max(1, static_cast<int>(std::ceil(length * 2)));
  const int low = -(thickness - 1) / 2, high = thickness / 2;
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    if (dash > 0 && static_cast<int>(t * length / dash) % 2 == 1) continue;
    const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
    const int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
    fill_rect(x + low, y + low, x + high, y + high, c);
  }
}

int Image::text_width(const std::string& s, int scale) { return static_cast<int>(s.size()) * 6 * scale; }

void Image::text(int x, int y, const std::string& s, Color c, int scale, bool vertical) {
  for (std::size_t k = 0; k < s.size(); ++k) {
    const auto& glyph = font5x7::glyph(s[k]);
    const int advance = static_cast<int>(k) * 6 * scale;
    for (int row = 0; row < 7; ++row)
      for (int col = 0; col < 5; ++col) {
        if (!(glyph[row] & (0x10 >> col))) continue;
        const int gx = advance + col * scale, gy = (row + font5x7::descent(s[k])) * scale;
        if (vertical) fill_rect(x + gy, y - gx - scale + 1, x + gy + scale - 1, y - gx, c);
        else fill_rect(x + gx, y + gy, x + gx + scale - 1, y + gy + scale - 1, c);
      }
  }
}

namespace {

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
  put32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0L, out.data() + start, static_cast<uInt>(out.size() - start));
  put32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::vector<std::uint8_t> Image::png() const {
  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<std::uint8_t> header;
  put32(header, static_cast<std::uint32_t>(width_));
  put32(header, static_cast<std::uint32_t>(height_));
  header.insert(header.end(), {8, 2, 0, 0, 0});  // 8 bits, RGB, deflate, no filter method, no interlace
  chunk(out, "IHDR", header);

  std::vector<std::uint8_t> raw;
  const std::size_t stride = static_cast<std::size_t>(width_) * 3;
  raw.reserve((stride + 1) * static_cast<std::size_t>(height_));
  for (int y = 0; y < height_; ++y) {
    raw.push_back(0);  // filter type None
    raw.insert(raw.end(), rgb_.begin() + static_cast<std::ptrdiff_t>(stride * static_cast<std::size_t>(y)),
               rgb_.begin() + static_cast<std::ptrdiff_t>(stride * static_cast<std::size_t>(y + 1)));
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> packed(size);
  if (compress2(packed.data(), &size, raw.data(), static_cast<uLong>(raw.size()), 9) != Z_OK)
    throw std::runtime_error("PNG: zlib compression failed");
  packed.resize(size);
  chunk(out, "IDAT", packed);
  chunk(out, "IEND", {});
  return out;
}

void Image::write_png(const std::string& path) const {
  const auto bytes = png();
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error(path + ": cannot write the picture (does its folder exist?)");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(path + ": writing the picture failed");
}

}  // namespace pase::plot
