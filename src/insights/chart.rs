//! Bar charts drawn on the server as SVG: readable without JavaScript, scaled by the page's CSS
//! (a viewBox, no fixed size), coloured by classes the strict CSP allows, and each bar carrying
//! its number in a `<title>` that the chart's `<desc>` and the table beside it repeat.
//!
//! Hand-drawn rather than with `plotters`: its SVG has a fixed pixel size, inline styles and no
//! per-bar titles, and these two chart shapes need about a hundred lines.

/// One group of bars (a week) or one bar (an item), with a value per series.
#[derive(Debug, Clone)]
pub struct Group {
    pub label: String,
    /// Said in full where the label is abbreviated ("Week of 2 November 2026").
    pub long_label: String,
    pub values: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub class: &'static str,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Text {
    pub x: f64,
    pub y: f64,
    pub anchor: &'static str,
    pub text: String,
}

/// What the template draws.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub desc: String,
    pub width: f64,
    pub height: f64,
    pub rects: Vec<Rect>,
    pub texts: Vec<Text>,
    /// The baseline.
    pub axis: (f64, f64, f64, f64),
    pub series: Vec<(&'static str, &'static str)>,
}

const CLASSES: [&str; 2] = ["bar-a", "bar-b"];

fn said(series: &[&'static str], group: &Group) -> String {
    let values: Vec<String> = series
        .iter()
        .zip(&group.values)
        .map(|(name, value)| format!("{name} {value}"))
        .collect();
    format!("{}: {}", group.long_label, values.join(", "))
}

fn described(series: &[&'static str], groups: &[Group]) -> String {
    if groups.is_empty() {
        return "Nothing to show for this period.".into();
    }
    groups
        .iter()
        .map(|g| said(series, g))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The largest value, at least 1 (the scale's top).
fn largest(groups: &[Group]) -> usize {
    groups
        .iter()
        .flat_map(|g| g.values.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1)
}

/// Columns side by side per group, labels under them (every `label_every`th, so they fit).
pub fn columns(id: &'static str, title: &str, series: &[&'static str], groups: &[Group]) -> Chart {
    let (left, top, bottom) = (36.0, 12.0, 28.0);
    let plot_height = 160.0;
    // Twelve weeks get room for a label such as "16 Nov" under each; two years share about the
    // same width (so the chart keeps its shape when scaled), labelled every few groups.
    let slot = (480.0 / groups.len().max(1) as f64).clamp(6.0, 40.0);
    let gap = slot * 0.2;
    let width = left + slot * groups.len().max(1) as f64 + 8.0;
    let max = largest(groups);
    let scale = plot_height / max as f64;
    let base = top + plot_height;
    let bar = (slot - gap) / series.len().max(1) as f64;
    let label_every = (40.0 / slot).ceil() as usize;
    let mut rects = Vec::new();
    let mut texts = vec![
        Text {
            x: left - 6.0,
            y: top + 4.0,
            anchor: "end",
            text: max.to_string(),
        },
        Text {
            x: left - 6.0,
            y: base,
            anchor: "end",
            text: "0".into(),
        },
    ];
    for (index, group) in groups.iter().enumerate() {
        let x0 = left + slot * index as f64 + gap / 2.0;
        for (s, value) in group.values.iter().enumerate() {
            let height = *value as f64 * scale;
            rects.push(Rect {
                x: x0 + bar * s as f64,
                y: base - height,
                width: bar - 1.0,
                height,
                class: CLASSES[s % CLASSES.len()],
                title: format!("{}: {} {value}", group.long_label, series[s]),
            });
        }
        if index % label_every == 0 {
            texts.push(Text {
                x: x0 + (slot - gap) / 2.0,
                y: base + 16.0,
                anchor: "middle",
                text: group.label.clone(),
            });
        }
    }
    Chart {
        id,
        title: title.to_string(),
        desc: described(series, groups),
        width,
        height: base + bottom,
        rects,
        texts,
        axis: (left, base, width - 4.0, base),
        series: series
            .iter()
            .enumerate()
            .map(|(i, s)| (CLASSES[i % 2], *s))
            .collect(),
    }
}

/// One bar per group, lying down, its label above it: for long labels (checklist items).
pub fn rows(id: &'static str, title: &str, series: &'static str, groups: &[Group]) -> Chart {
    let (width, row, left) = (320.0, 34.0, 4.0);
    let max = largest(groups);
    let scale = (width - left - 40.0) / max as f64;
    let mut rects = Vec::new();
    let mut texts = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        let y = row * index as f64;
        let value = group.values.first().copied().unwrap_or(0);
        texts.push(Text {
            x: left,
            y: y + 12.0,
            anchor: "start",
            text: group.label.clone(),
        });
        rects.push(Rect {
            x: left,
            y: y + 16.0,
            width: value as f64 * scale,
            height: 12.0,
            class: CLASSES[0],
            title: format!("{}: {series} {value}", group.long_label),
        });
        texts.push(Text {
            x: left + value as f64 * scale + 4.0,
            y: y + 26.0,
            anchor: "start",
            text: value.to_string(),
        });
    }
    let height = (row * groups.len() as f64).max(row);
    Chart {
        id,
        title: title.to_string(),
        desc: described(&[series], groups),
        width,
        height,
        rects,
        texts,
        axis: (left, 0.0, left, height),
        series: vec![(CLASSES[0], series)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(label: &str, submissions: usize, approvals: usize) -> Group {
        Group {
            label: label.into(),
            long_label: format!("Week of {label}"),
            values: vec![submissions, approvals],
        }
    }

    #[test]
    fn every_bar_says_its_number_and_the_description_says_them_all() {
        let chart = columns(
            "weekly",
            "Per week",
            &["submissions", "approvals"],
            &[week("2 Nov", 3, 1), week("9 Nov", 0, 2)],
        );
        let titles: Vec<&str> = chart.rects.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Week of 2 Nov: submissions 3",
                "Week of 2 Nov: approvals 1",
                "Week of 9 Nov: submissions 0",
                "Week of 9 Nov: approvals 2"
            ]
        );
        assert_eq!(
            chart.desc,
            "Week of 2 Nov: submissions 3, approvals 1; Week of 9 Nov: submissions 0, approvals 2"
        );
        // The tallest bar fills the plot; bars are proportional.
        assert_eq!(chart.rects[0].height, 160.0);
        assert!((chart.rects[1].height - 160.0 / 3.0).abs() < 1e-9);
        assert_eq!(chart.rects[2].height, 0.0);
    }

    #[test]
    fn two_years_of_weeks_keep_the_width_of_twelve_and_labels_apart() {
        let weeks: Vec<Group> = (0..105).map(|i| week(&format!("w{i}"), i, 1)).collect();
        let long = columns("weekly", "Per week", &["submissions", "approvals"], &weeks);
        let short = columns(
            "weekly",
            "Per week",
            &["submissions", "approvals"],
            &weeks[..12],
        );
        assert!(
            long.width <= 700.0 && short.width >= 480.0,
            "{} {}",
            long.width,
            short.width
        );
        assert_eq!(long.rects.len(), 210, "every week keeps its bars");
        let labels: Vec<f64> = long.texts.iter().skip(2).map(|t| t.x).collect();
        assert!(labels.windows(2).all(|pair| pair[1] - pair[0] >= 40.0));
        assert!(labels.len() >= 10);
    }

    #[test]
    fn an_empty_chart_says_so() {
        let chart = rows("items", "Items", "send-backs", &[]);
        assert!(chart.rects.is_empty());
        assert_eq!(chart.desc, "Nothing to show for this period.");
    }
}
