// The SVG charts: text as text, legends inside the picture, coinciding lines named, bad input refused.
#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <stdexcept>

#include "pase/plot/svg_chart.hpp"

namespace pase::plot {
namespace {

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

double height_of(const std::string& svg) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(svg, m, std::regex("height=\"([0-9.]+)\"")));
  return std::stod(m[1]);
}

LineChart two_lines() {
  LineChart c;
  c.title = "Speedup";
  c.x_label = "devices";
  c.y_label = "speedup (x)";
  c.log2_x = true;
  c.reference_y = 1.0;
  c.reference_label = "data parallelism";
  c.series.push_back({"gpt on dgx-a100", {8, 16, 32}, {1.0, 1.3, 1.8}, {}, {}});
  c.series.push_back({"gpt on dgx-h100 <&>", {8, 16, 32}, {1.1, 1.5, 2.5}, {}, {}});
  return c;
}

TEST(SvgChartTest, a_line_chart_has_its_text_as_text_escaped_with_one_polyline_per_series) {
  const std::string s = svg(two_lines());
  EXPECT_EQ(s.rfind("<svg", 0), 0u);
  EXPECT_EQ(count(s, "<polyline"), 2);
  for (const char* text : {">Speedup<", ">devices<", ">speedup (x)<", ">gpt on dgx-a100<", ">gpt on dgx-h100 &lt;&amp;&gt;<",
                           ">data parallelism<", ">8<", ">16<", ">32<"})
    EXPECT_NE(s.find(text), std::string::npos) << text;
  EXPECT_EQ(s.find("lies on"), std::string::npos);
  EXPECT_EQ(count(s, "<svg"), 1);
  EXPECT_NE(s.find("</svg>"), std::string::npos);
}

TEST(SvgChartTest, the_legend_grows_the_picture_instead_of_being_cut) {
  LineChart few = two_lines();
  LineChart many = two_lines();
  for (int k = 0; k < 12; ++k)
    many.series.push_back({"a rather long series name number " + std::to_string(k), {8, 16, 32}, {2.0 + k, 3.0 + k, 4.0 + k}, {}, {}});
  const std::string a = svg(few), b = svg(many);
  EXPECT_GT(height_of(b), height_of(a) + 100);
  EXPECT_NE(b.find(">a rather long series name number 11<"), std::string::npos);
}

TEST(SvgChartTest, coinciding_lines_are_drawn_apart_and_named_in_a_note) {
  LineChart c = two_lines();
  c.series[1].y = c.series[0].y;
  const std::string s = svg(c);
  EXPECT_NE(s.find("lies on"), std::string::npos);
  EXPECT_NE(s.find("drawn 3 px apart"), std::string::npos);
  // Both polylines are drawn, 3 px apart.
  const std::regex polyline("<polyline[^>]*points=\"([^\"]+)\"");
  std::vector<std::string> points;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), polyline); it != std::sregex_iterator(); ++it)
    points.push_back((*it)[1]);
  ASSERT_GE(points.size(), 2u);
  EXPECT_NE(points[0], points[1]);
}

TEST(SvgChartTest, bars_have_segments_totals_and_a_limit_line) {
  BarChart c;
  c.title = "Step time";
  c.value_label = "time per step (ms)";
  c.bars = {"found strategy", "data parallelism"};
  c.segments = {"compute", "exposed communication"};
  c.values = {{5.5, 1.5}, {7.25, 1.9}};
  c.limit = 10;
  c.limit_label = "capacity";
  const std::string s = svg(c);
  EXPECT_EQ(count(s, "<rect x="), 4 + 2);  // 4 segments, 2 legend boxes
  for (const char* text : {">found strategy<", ">data parallelism<", ">compute<", ">exposed communication<", ">7<", ">9.15<",
                           ">capacity<", ">time per step (ms)<"})
    EXPECT_NE(s.find(text), std::string::npos) << text;
}

TEST(SvgChartTest, nothing_to_draw_or_bad_values_are_refused) {
  LineChart empty;
  EXPECT_THROW(svg(empty), std::invalid_argument);
  LineChart c = two_lines();
  c.series[0].y[1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(svg(c), std::invalid_argument);
  c = two_lines();
  c.log10_y = true;
  c.series[0].y[0] = 0;
  EXPECT_THROW(svg(c), std::invalid_argument);
  c = two_lines();
  c.series[0].y.pop_back();
  EXPECT_THROW(svg(c), std::invalid_argument);
  BarChart b;
  b.bars = {"x"};
  b.segments = {"a"};
  b.values = {{-1}};
  EXPECT_THROW(svg(b), std::invalid_argument);
}

TEST(SvgChartTest, a_log_axis_has_ticks_at_powers_of_ten) {
  LineChart c = two_lines();
  c.reference_y.reset();
  c.log10_y = true;
  c.series[1].y = {10, 100, 1000};
  const std::string s = svg(c);
  for (const char* tick : {">1<", ">10<", ">100<", ">1000<"}) EXPECT_NE(s.find(tick), std::string::npos) << tick;
}

}  // namespace
}  // namespace pase::plot
