package io.tieredcache.sizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes the {@link ChartData} panels as one SVG file, by hand (no SVG library is on our package
 * lists): the same series, axes and legends as the PNG, in a text format a browser or a review
 * tool shows at any size.
 */
final class SvgCharts {

  private static final int WIDTH = PngCharts.PANEL_WIDTH;
  private static final int HEIGHT = PngCharts.HEIGHT;
  private static final int LEFT = 75;
  private static final int RIGHT = 25;
  private static final int TOP = 60;
  private static final int BOTTOM = 160;

  private SvgCharts() {}

  static void write(List<ChartData.Panel> panels, String title, Path file) throws IOException {
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH * panels.size(), HEIGHT));
    svg.append(String.format(Locale.ROOT, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"));
    svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#555\">%s</text>%n", HEIGHT - 8,
        escape(title)));
    for (int i = 0; i < panels.size(); i++) {
      panel(svg, panels.get(i), i * WIDTH);
    }
    svg.append("</svg>\n");
    Files.writeString(file, svg, StandardCharsets.UTF_8);
  }

  private static void panel(StringBuilder svg, ChartData.Panel panel, int offset) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = 0;
    double maxY = 0;
    for (ChartData.Series s : panel.series()) {
      for (int i = 0; i < s.x().length; i++) {
        if (s.x()[i] > 0) {
          minX = Math.min(minX, s.x()[i]);
          maxX = Math.max(maxX, s.x()[i]);
          maxY = Math.max(maxY, s.y()[i]);
        }
      }
    }
    if (!(minX < Double.POSITIVE_INFINITY)) {
      minX = 1;
      maxX = 10;
    }
    double lo = Math.floor(Math.log10(minX));
    double hi = Math.ceil(Math.log10(maxX));
    if (hi <= lo) {
      hi = lo + 1;
    }
    double yTop = niceCeiling(maxY * 1.05);
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    Axis axis = new Axis(offset + LEFT, TOP, plotWidth, plotHeight, lo, hi, yTop);
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"30\" font-size=\"16\" font-weight=\"bold\" "
        + "text-anchor=\"middle\">%s</text>%n", offset + WIDTH / 2, escape(panel.title())));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#888\"/>%n", offset + LEFT, TOP, plotWidth, plotHeight));
    for (int decade = (int) lo; decade <= (int) hi; decade++) {
      double px = axis.x(Math.pow(10, decade));
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
          px, TOP, px, TOP + plotHeight));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
          px, TOP + plotHeight + 16, tickLabel(decade)));
    }
    for (int k = 0; k <= 5; k++) {
      double value = yTop * k / 5;
      double py = axis.y(value);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          offset + LEFT, py, offset + LEFT + plotWidth, py));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
          offset + LEFT - 6, py + 4, number(value)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
        offset + LEFT + plotWidth / 2, TOP + plotHeight + 36, escape(panel.xLabel())));
    svg.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">"
        + "%s</text>%n", offset + 18, TOP + plotHeight / 2, escape(panel.yLabel())));
    int legendY = TOP + plotHeight + 60;
    for (ChartData.Series s : panel.series()) {
      series(svg, s, axis);
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>%n", offset + LEFT + 5, legendY - 4, s.color(), offset + LEFT + 16,
          legendY, escape(s.name())));
      legendY += 18;
    }
  }

  private static void series(StringBuilder svg, ChartData.Series s, Axis axis) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < s.x().length; i++) {
      if (s.x()[i] > 0) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", axis.x(s.x()[i]), axis.y(s.y()[i])));
      }
    }
    if (s.line() && points.length() > 0) {
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
          + "points=\"%s\"/>%n", s.color(), points.toString().trim()));
    }
    for (int i = 0; i < s.x().length; i++) {
      if (s.x()[i] > 0) {
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n",
            axis.x(s.x()[i]), axis.y(s.y()[i]), s.markerSize(), s.color()));
      }
    }
  }

  /** Maps data to pixels: log10 on x, linear from 0 on y. */
  private record Axis(int left, int top, int width, int height, double lo, double hi, double yTop) {
    double x(double value) {
      return left + (Math.log10(value) - lo) / (hi - lo) * width;
    }

    double y(double value) {
      return top + height - (yTop == 0 ? 0 : value / yTop * height);
    }
  }

  private static double niceCeiling(double value) {
    if (value <= 0) {
      return 1;
    }
    double scale = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * scale >= value) {
        return step * scale;
      }
    }
    return 10 * scale;
  }

  private static String tickLabel(int decade) {
    double value = Math.pow(10, decade);
    if (decade >= 0 && decade < 16) {
      return ChartData.count((long) value);
    }
    return String.format(Locale.ROOT, "1e%d", decade);
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e9
        ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3g", value);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
