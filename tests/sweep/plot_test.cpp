#include <gtest/gtest.h>
#include <zlib.h>

#include <set>

#include "pase/plot/line_chart.hpp"
#include "support/commands.hpp"

namespace pase::plot {
namespace {

std::uint32_t get32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// Checks the PNG structure and every CRC; returns the decompressed scanlines.
std::vector<std::uint8_t> decode(const std::vector<std::uint8_t>& png, int& width, int& height) {
  const std::vector<std::uint8_t> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_TRUE(std::equal(signature.begin(), signature.end(), png.begin()));
  std::vector<std::uint8_t> idat;
  std::size_t at = 8;
  std::string last;
  while (at + 12 <= png.size()) {
    const std::uint32_t length = get32(png, at);
    const std::string type(png.begin() + static_cast<long>(at) + 4, png.begin() + static_cast<long>(at) + 8);
    const uLong crc = crc32(0L, png.data() + at + 4, length + 4);
    EXPECT_EQ(crc, get32(png, at + 8 + length)) << type;
    if (type == "IHDR") {
      width = static_cast<int>(get32(png, at + 8));
      height = static_cast<int>(get32(png, at + 12));
    }
    if (type == "IDAT") idat.insert(idat.end(), png.begin() + static_cast<long>(at) + 8, png.begin() + static_cast<long>(at + 8 + length));
    last = type;
    at += 12 + length;
  }
  EXPECT_EQ(last, "IEND");
  EXPECT_EQ(at, png.size());
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(width * 3 + 1) * static_cast<std::size_t>(height));
  uLongf size = raw.size();
  EXPECT_EQ(uncompress(raw.data(), &size, idat.data(), idat.size()), Z_OK);
  EXPECT_EQ(size, raw.size());
  return raw;
}

TEST(PngTest, pixels_survive_encoding) {
  Image image(7, 5, {10, 20, 30});
  image.set(3, 2, {200, 100, 50});
  image.set(99, 99, {1, 1, 1});  // outside: ignored
  int w = 0, h = 0;
  const auto raw = decode(image.png(), w, h);
  ASSERT_EQ(w, 7);
  ASSERT_EQ(h, 5);
  const std::size_t stride = 7 * 3 + 1;
  EXPECT_EQ(raw[0], 0);  // filter None
  EXPECT_EQ(raw[1], 10);
  EXPECT_EQ(raw[2 * stride + 1 + 3 * 3], 200);
  EXPECT_EQ(raw[2 * stride + 1 + 3 * 3 + 2], 50);
}

TEST(LineChartTest, draws_lines_legend_and_axes) {
  LineChart chart;
  chart.title = "Speedup";
  chart.x_label = "devices";
  chart.y_label = "speedup";
  chart.log2_x = true;
  chart.reference_y = 1.0;
  chart.series.push_back({"inception3", {4, 8, 16}, {1.0, 1.1, 1.2}, {1.0, 1.0, 1.1}, {1.0, 1.2, 1.4}});
  chart.series.push_back({"rnnlm", {4, 8, 16}, {1.7, 2.2, 3.0}, {}, {}});
  const Image image = render(chart, 640, 400);
  std::set<std::tuple<int, int, int>> colours;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const Color c = image.at(x, y);
      colours.insert({c.r, c.g, c.b});
    }
  EXPECT_TRUE(colours.count({31, 119, 180}));  // first series
  EXPECT_TRUE(colours.count({255, 127, 14}));  // second series
  EXPECT_TRUE(colours.count({0, 0, 0}));       // axes and text
  test::TempDir dir;
  image.write_png(dir.file("c.png"));
  EXPECT_GT(test::read_file(dir.file("c.png")).size(), 1000u);
  EXPECT_THROW(render(LineChart{}), std::invalid_argument);
}

}  // namespace
}  // namespace pase::plot
