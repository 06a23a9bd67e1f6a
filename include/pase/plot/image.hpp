#pragma once
// An RGB raster with the few drawing primitives a chart needs, written as PNG (zlib's deflate and
// CRC-32; no plotting library).

#include <cstdint>
#include <string>
#include <vector>

namespace pase::plot {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0;
};

class Image {
 public:
  Image(int width, int height, Color background = {255, 255, 255});

  int width() const { return width_; }
  int height() const { return height_; }
  Color at(int x, int y) const;

  void set(int x, int y, Color c);  // ignores pixels outside
  void fill_rect(int x0, int y0, int x1, int y1, Color c);  // inclusive corners, any order
  // A straight line `thickness` pixels wide; with dash > 0, drawn `dash` pixels on, `dash` off.
  void line(double x0, double y0, double x1, double y1, Color c, int thickness = 1, int dash = 0);
  // Text in the built-in 5x7 font, `scale` pixels per font pixel; (x, y) is the top left corner.
  // With `vertical` the text runs upwards from (x, y), its top to the left.
  void text(int x, int y, const std::string& s, Color c, int scale = 1, bool vertical = false);
  static int text_width(const std::string& s, int scale = 1);

  // The PNG file's bytes (8-bit RGB, no interlace).
  std::vector<std::uint8_t> png() const;
  // Throws std::runtime_error naming the file when it cannot be written.
  void write_png(const std::string& path) const;

 private:
  int width_, height_;
  std::vector<std::uint8_t> rgb_;
};

}  // namespace pase::plot
