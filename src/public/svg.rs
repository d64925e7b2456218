//! Bar charts drawn on the server as inline SVG: no script, no external asset, readable by
//! screen readers (`role="img"` with a title and a description; the table beside each chart
//! is its text alternative). Pure: data in, markup out. Geometry is integer pixels scaled
//! with `rust_decimal`, so no floating point is involved even for drawing.

use rust_decimal::{Decimal, RoundingStrategy};

/// Drawing size (the page scales it down on narrow screens).
pub const WIDTH: i64 = 640;
const PLOT_HEIGHT: i64 = 220;
const LEFT: i64 = 80;
const RIGHT: i64 = 16;
const TOP: i64 = 16;
const AXIS_LABELS: i64 = 28;
const LEGEND_ROW: i64 = 20;
const LEGEND_COLUMNS: i64 = 3;
/// At most this many category labels are written under the axis; with more, every n-th.
const MAX_LABELS: usize = 12;

/// Colours of series, in order; distinguishable for the common colour-vision deficiencies
/// (Okabe–Ito) and dark enough against white.
pub const PALETTE: &[&str] = &[
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D1F", "#000000",
    "#999999",
];

/// Bars side by side per category, or stacked into one bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Grouped,
    Stacked,
}

#[derive(Debug, Clone)]
pub struct BarChart {
    /// Identifies the chart: its `data-chart` attribute and the prefix of its element ids.
    pub id: String,
    pub title: String,
    pub description: String,
    pub layout: Layout,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// `values[category][series]`; `None` is a hidden value (a suppressed count), drawn as
    /// nothing. Negative values are drawn as nothing too (the table shows them).
    pub values: Vec<Vec<Option<Decimal>>>,
}

/// One series of bars: `key` identifies it in the markup (`data-series`, the same in every
/// language), `name` is what the legend and the bars' titles say.
#[derive(Debug, Clone)]
pub struct Series {
    pub key: String,
    pub name: String,
}

impl Series {
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Series {
            key: key.into(),
            name: name.into(),
        }
    }
}

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The top of the value axis: the smallest 1, 2 or 5 × 10ⁿ at or above `max` (1 when
/// there is nothing to show).
pub fn nice_ceiling(max: Decimal) -> Decimal {
    if max <= Decimal::ZERO {
        return Decimal::ONE;
    }
    let ten = Decimal::TEN;
    let mut power = Decimal::ONE;
    while power * ten <= max {
        power *= ten;
    }
    while power > max && power.scale() < 20 {
        power /= ten;
    }
    for step in [1, 2, 5, 10] {
        let candidate = power * Decimal::from(step);
        if candidate >= max {
            return candidate.normalize();
        }
    }
    (power * ten).normalize()
}

/// `value` as pixels of `pixels` when `top` fills them: rounded half away from zero,
/// clamped to [0, pixels].
pub fn scale(value: Decimal, top: Decimal, pixels: i64) -> i64 {
    if value <= Decimal::ZERO || top <= Decimal::ZERO {
        return 0;
    }
    let scaled = (value * Decimal::from(pixels) / top)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(scaled).unwrap_or(pixels).clamp(0, pixels)
}

fn visible(v: Option<Decimal>) -> Decimal {
    v.filter(|v| *v > Decimal::ZERO).unwrap_or(Decimal::ZERO)
}

fn label(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Which series have anything to draw: the legend lists only those.
fn drawn_series(chart: &BarChart) -> Vec<usize> {
    (0..chart.series.len())
        .filter(|s| {
            chart
                .values
                .iter()
                .any(|row| visible(row.get(*s).copied().flatten()) > Decimal::ZERO)
        })
        .collect()
}

/// Draws the chart. An empty chart (no category, or nothing above zero) says so in text.
pub fn bar_chart(chart: &BarChart) -> String {
    let id = escape(&chart.id);
    let legend = drawn_series(chart);
    let legend_rows =
        (i64::try_from(legend.len()).unwrap_or(0) + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
    let height = TOP + PLOT_HEIGHT + AXIS_LABELS + legend_rows * LEGEND_ROW + 8;
    let plot_width = WIDTH - LEFT - RIGHT;
    let baseline = TOP + PLOT_HEIGHT;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" data-chart=\"{id}\" \
         font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(&chart.title),
        escape(&chart.description),
    );
    let n = chart.categories.len();
    if n == 0 || legend.is_empty() {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">No figures to show yet</text></svg>",
            WIDTH / 2,
            TOP + PLOT_HEIGHT / 2
        ));
        return svg;
    }
    let cell = |c: usize, s: usize| -> Option<Decimal> {
        chart
            .values
            .get(c)
            .and_then(|row| row.get(s))
            .copied()
            .flatten()
    };
    let max = (0..n)
        .map(|c| match chart.layout {
            Layout::Grouped => (0..chart.series.len())
                .map(|s| visible(cell(c, s)))
                .max()
                .unwrap_or(Decimal::ZERO),
            Layout::Stacked => (0..chart.series.len()).map(|s| visible(cell(c, s))).sum(),
        })
        .max()
        .unwrap_or(Decimal::ZERO);
    let top = nice_ceiling(max);
    // value axis: 0, half, top
    for tick in [Decimal::ZERO, top / Decimal::TWO, top] {
        let y = baseline - scale(tick, top, PLOT_HEIGHT);
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#ccc\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6,
            y + 4,
            escape(&label(tick)),
        ));
    }
    let count = i64::try_from(n).unwrap_or(1);
    let slot = (plot_width / count).max(1);
    let every = n.div_ceil(MAX_LABELS).max(1);
    for c in 0..n {
        let i = i64::try_from(c).unwrap_or(0);
        let x0 = LEFT + i * slot;
        let category = &chart.categories[c];
        match chart.layout {
            Layout::Grouped => {
                let k = i64::try_from(chart.series.len()).unwrap_or(1).max(1);
                let bar = ((slot * 4 / 5) / k).max(1);
                let start = x0 + (slot - bar * k) / 2;
                for s in 0..chart.series.len() {
                    let value = visible(cell(c, s));
                    let h = scale(value, top, PLOT_HEIGHT);
                    if h > 0 {
                        let x = start + i64::try_from(s).unwrap_or(0) * bar;
                        svg.push_str(&rect(
                            x,
                            baseline - h,
                            bar,
                            h,
                            s,
                            &chart.series[s],
                            category,
                            value,
                        ));
                    }
                }
            }
            Layout::Stacked => {
                let bar = (slot * 3 / 5).max(1);
                let x = x0 + (slot - bar) / 2;
                let mut below = Decimal::ZERO;
                for s in 0..chart.series.len() {
                    let value = visible(cell(c, s));
                    if value.is_zero() {
                        continue;
                    }
                    // both edges scaled from cumulative sums, so stacks do not drift by rounding
                    let y_low = baseline - scale(below, top, PLOT_HEIGHT);
                    below += value;
                    let y_high = baseline - scale(below, top, PLOT_HEIGHT);
                    if y_low > y_high {
                        svg.push_str(&rect(
                            x,
                            y_high,
                            bar,
                            y_low - y_high,
                            s,
                            &chart.series[s],
                            category,
                            value,
                        ));
                    }
                }
            }
        }
        if c % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
                x0 + slot / 2,
                baseline + 18,
                escape(category)
            ));
        }
    }
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{baseline}\" x2=\"{}\" y2=\"{baseline}\" stroke=\"#333\"/>",
        WIDTH - RIGHT
    ));
    let column = (WIDTH - LEFT) / LEGEND_COLUMNS;
    for (i, s) in legend.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let x = LEFT + (i % LEGEND_COLUMNS) * column;
        let y = baseline + AXIS_LABELS + (i / LEGEND_COLUMNS) * LEGEND_ROW;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#333\">{}</text>",
            colour(*s),
            x + 18,
            y + 11,
            escape(&chart.series[*s].name)
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn colour(series: usize) -> &'static str {
    PALETTE[series % PALETTE.len()]
}

#[allow(clippy::too_many_arguments)]
fn rect(
    x: i64,
    y: i64,
    width: i64,
    height: i64,
    series: usize,
    named: &Series,
    category: &str,
    value: Decimal,
) -> String {
    format!(
        "<rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" \
         fill=\"{}\" data-series=\"{}\" data-category=\"{}\"><title>{}: {}, {}</title></rect>",
        colour(series),
        escape(&named.key),
        escape(category),
        escape(category),
        escape(&named.name),
        escape(&label(value)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn chart(layout: Layout, values: Vec<Vec<Option<Decimal>>>) -> BarChart {
        BarChart {
            id: "c".into(),
            title: "Title".into(),
            description: "Description".into(),
            layout,
            categories: (0..values.len()).map(|i| format!("cat{i}")).collect(),
            series: vec![Series::new("one", "One"), Series::new("two", "Two")],
            values,
        }
    }

    fn bars(svg: &str) -> Vec<(i64, i64, i64, i64)> {
        let attr = |tag: &str, name: &str| -> i64 {
            let start = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
            tag[start..]
                .split('"')
                .next()
                .expect("value")
                .parse()
                .expect("integer")
        };
        svg.split("<rect class=\"bar\"")
            .skip(1)
            .map(|tag| {
                (
                    attr(tag, "x"),
                    attr(tag, "y"),
                    attr(tag, "width"),
                    attr(tag, "height"),
                )
            })
            .collect()
    }

    #[test]
    fn the_axis_ends_at_a_round_number_at_or_above_the_largest_value() {
        assert_eq!(nice_ceiling(d("0")), d("1"));
        assert_eq!(nice_ceiling(d("-3")), d("1"));
        assert_eq!(nice_ceiling(d("1")), d("1"));
        assert_eq!(nice_ceiling(d("7")), d("10"));
        assert_eq!(nice_ceiling(d("43500.00")), d("50000"));
        assert_eq!(nice_ceiling(d("120")), d("200"));
        assert_eq!(nice_ceiling(d("200")), d("200"));
        assert_eq!(nice_ceiling(d("0.3")), d("0.5"));
        assert_eq!(nice_ceiling(d("10000000000")), d("10000000000"));
    }

    #[test]
    fn values_scale_to_pixels_and_never_leave_the_plot() {
        assert_eq!(scale(d("50"), d("100"), 220), 110);
        assert_eq!(scale(d("100"), d("100"), 220), 220);
        assert_eq!(scale(d("1"), d("3"), 10), 3);
        assert_eq!(scale(d("-5"), d("100"), 220), 0);
        assert_eq!(scale(d("500"), d("100"), 220), 220);
        assert_eq!(scale(d("5"), d("0"), 220), 0);
    }

    #[test]
    fn grouped_bars_are_as_tall_as_their_values() {
        let svg = bar_chart(&chart(
            Layout::Grouped,
            vec![
                vec![Some(d("100")), Some(d("50"))],
                vec![Some(d("200")), None],
            ],
        ));
        let b = bars(&svg);
        assert_eq!(b.len(), 3, "a hidden value is drawn as nothing: {svg}");
        // the axis tops at 200: 100 is half of the 220 pixels
        assert_eq!(b[0].3, 110);
        assert_eq!(b[1].3, 55);
        assert_eq!(b[2].3, 220);
        for (x, y, w, h) in &b {
            assert!(*w > 0 && *h > 0);
            assert_eq!(y + h, TOP + PLOT_HEIGHT, "bars stand on the baseline");
            assert!(*x >= LEFT && x + w <= WIDTH - RIGHT);
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("role=\"img\"") && svg.contains("<title id=\"c-title\">Title</title>")
        );
    }

    #[test]
    fn stacked_bars_pile_up_without_gaps() {
        let svg = bar_chart(&chart(
            Layout::Stacked,
            vec![
                vec![Some(d("30")), Some(d("20"))],
                vec![None, Some(d("100"))],
            ],
        ));
        let b = bars(&svg);
        assert_eq!(b.len(), 3);
        // axis top 100; first stack 30 + 20
        assert_eq!(b[0].3, 66);
        assert_eq!(b[1].1 + b[1].3, b[0].1, "the second sits on the first");
        assert_eq!(b[1].1, TOP + PLOT_HEIGHT - 110);
        assert_eq!(b[2].3, 220);
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let mut c = chart(Layout::Grouped, vec![vec![Some(d("1")), None]]);
        c.title = "<script>alert(1)</script>".into();
        c.description = "a \"quoted\" & 'odd' one".into();
        c.categories = vec!["<b>".into()];
        c.series = vec![
            Series::new("x\"onload=\"alert(1)", "y\"onload=\"alert(1)"),
            Series::new("two", "Two"),
        ];
        c.id = "c\"><script>".into();
        let svg = bar_chart(&c);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("x\"onload"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("a &quot;quoted&quot; &amp; &#39;odd&#39; one"));
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn an_empty_chart_says_so() {
        for values in [
            vec![],
            vec![vec![None, None]],
            vec![vec![Some(d("0")), Some(d("-2"))]],
        ] {
            let svg = bar_chart(&chart(Layout::Stacked, values));
            assert!(bars(&svg).is_empty());
            assert!(svg.contains("No figures to show yet"), "{svg}");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn many_categories_keep_bars_inside_and_thin_out_labels() {
        let values = (0..60)
            .map(|i| vec![Some(Decimal::from(i + 1)), None])
            .collect();
        let svg = bar_chart(&chart(Layout::Grouped, values));
        let b = bars(&svg);
        assert_eq!(b.len(), 60);
        assert!(b.iter().all(|(x, _, w, _)| x + w <= WIDTH - RIGHT));
        let labels = svg.matches("fill=\"#333\">cat").count();
        assert!(labels <= MAX_LABELS, "{labels} labels");
    }
}
