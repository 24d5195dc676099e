package io.tieredcache.sizer;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws the {@link ChartData} panels side by side into one PNG with JFreeChart. */
final class PngCharts {

  static final int PANEL_WIDTH = 800;
  static final int HEIGHT = 600;

  private PngCharts() {}

  static void write(List<ChartData.Panel> panels, String title, Path file) throws IOException {
    BufferedImage image = new BufferedImage(PANEL_WIDTH * panels.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      for (int i = 0; i < panels.size(); i++) {
        JFreeChart chart = chart(panels.get(i));
        if (i == 0) {
          chart.addSubtitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }
        chart.draw(g, new Rectangle2D.Double(i * PANEL_WIDTH, 0, PANEL_WIDTH, HEIGHT));
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", file.toFile());
  }

  private static JFreeChart chart(ChartData.Panel panel) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    int index = 0;
    for (ChartData.Series s : panel.series()) {
      XYSeries series = new XYSeries(s.name(), false, true);
      for (int i = 0; i < s.x().length; i++) {
        if (s.x()[i] > 0) {
          series.add(s.x()[i], s.y()[i]);
        }
      }
      data.addSeries(series);
      renderer.setSeriesPaint(index, Color.decode(s.color()));
      renderer.setSeriesLinesVisible(index, s.line());
      renderer.setSeriesShapesVisible(index, true);
      renderer.setSeriesStroke(index, new BasicStroke(2f));
      double r = s.markerSize();
      renderer.setSeriesShape(index, new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
      index++;
    }
    LogAxis x = new LogAxis(panel.xLabel());
    x.setSmallestValue(1e-6);
    x.setStandardTickUnits(NumberAxis.createStandardTickUnits());
    NumberAxis y = new NumberAxis(panel.yLabel());
    y.setAutoRangeIncludesZero(true);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinePaint(new Color(0xDDDDDD));
    JFreeChart chart = new JFreeChart(panel.title(), new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }
}
