//! Line charts of the metrics over the last minute of simulated time, with the values under
//! the pointer shown on hover.

use yew::prelude::*;

use super::demo_panel::use_watched;
use super::view::Series;

const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 110.0;
const TOP: f64 = 8.0;

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub title: AttrValue,
    pub test_id: AttrValue,
    /// Appended to every value shown.
    pub unit: AttrValue,
    pub series: Vec<Series>,
    /// Seconds of simulated time one value covers.
    pub bucket_seconds: f64,
    /// A level drawn across as a dashed line, and what it means (in the legend).
    #[prop_or_default]
    pub reference: Option<(f64, &'static str)>,
}

#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let hovered = use_state(|| None::<usize>);
    let svg = use_node_ref();
    let watched = use_watched();
    let length = props.series.iter().map(|series| series.values.len()).max().unwrap_or(0);
    let top_value = props
        .series
        .iter()
        .flat_map(|series| series.values.iter().copied())
        .chain(props.reference.map(|(level, _)| level))
        .fold(0.0, f64::max);
    let scale = if top_value > 0.0 { top_value * 1.1 } else { 1.0 };
    let x_of = |index: usize| if length <= 1 { WIDTH } else { WIDTH * index as f64 / (length - 1) as f64 };
    let y_of = |value: f64| TOP + (HEIGHT - TOP) * (1.0 - value / scale);

    let onmousemove = {
        let hovered = hovered.clone();
        let svg = svg.clone();
        Callback::from(move |event: MouseEvent| {
            let width = svg.cast::<web_sys::Element>().map_or(WIDTH, |element| f64::from(element.client_width()));
            if length > 0 && width > 0.0 {
                let fraction = (f64::from(event.offset_x()) / width).clamp(0.0, 1.0);
                hovered.set(Some((fraction * (length - 1) as f64).round() as usize));
            }
        })
    };
    let onmouseleave = {
        let hovered = hovered.clone();
        Callback::from(move |_: MouseEvent| hovered.set(None))
    };
    // Unless the pointer picks a moment: the latest with anything to show (a quiet last
    // moment would read "0 ms" while the chart shows what happened just before).
    let latest = (0..length)
        .rev()
        .find(|&index| props.series.iter().any(|series| series.values.get(index).is_some_and(|&value| value != 0.0)));
    let shown = hovered.filter(|&index| index < length).or(latest).or(length.checked_sub(1));
    let value_at = |series: &Series| shown.and_then(|index| series.values.get(index)).copied().unwrap_or(0.0);
    let readout: Vec<String> = props
        .series
        .iter()
        .map(|series| format!("{} {}{}", series.name, format_value(value_at(series)), props.unit))
        .collect();
    let when = match shown {
        Some(index) if index + 1 < length => format!("{:.1} s ago", (length - 1 - index) as f64 * props.bucket_seconds),
        _ => "now".to_string(),
    };

    html! {
        <figure class="chart" data-testid={props.test_id.clone()} data-watched={watched.mark(&props.test_id)}>
            <figcaption>
                <strong>{ props.title.clone() }</strong>
                <span class="readout" aria-live="off">
                    { format!("{when}: ") }
                    { for props.series.iter().enumerate().map(|(index, series)| html! { <>
                        if index > 0 { { " · " } }
                        <span class={classes!("swatch", series.class)} aria-hidden="true"></span>
                        { format!("{} {}{}", series.name, format_value(value_at(series)), props.unit) }
                    </> }) }
                    if let Some((level, meaning)) = props.reference {
                        { " · " }<span class="swatch reference" aria-hidden="true"></span>
                        { format!("{}{}: {meaning}", format_value(level), props.unit) }
                    }
                </span>
            </figcaption>
            <svg ref={svg} viewBox={format!("0 0 {WIDTH} {HEIGHT}")} preserveAspectRatio="none" {onmousemove} {onmouseleave}
                role="img" aria-label={format!("{}: {}", props.title, readout.join(", "))}>
                <line class="axis" x1="0" y1={HEIGHT.to_string()} x2={WIDTH.to_string()} y2={HEIGHT.to_string()} />
                if let Some((level, _)) = props.reference {
                    <line class="reference" data-testid="chart-reference" x1="0" y1={format!("{:.1}", y_of(level))}
                        x2={WIDTH.to_string()} y2={format!("{:.1}", y_of(level))} />
                }
                { for props.series.iter().map(|series| {
                    let points: Vec<String> = series.values.iter().enumerate()
                        .map(|(index, &value)| format!("{:.1},{:.1}", x_of(index), y_of(value)))
                        .collect();
                    html! { <polyline class={classes!("series", series.class)} points={points.join(" ")} /> }
                }) }
                if let Some(index) = *hovered {
                    <line class="cursor" x1={format!("{:.1}", x_of(index))} y1="0" x2={format!("{:.1}", x_of(index))} y2={HEIGHT.to_string()} />
                }
            </svg>
            <div class="time-axis" aria-hidden="true">
                <span>{ format!("{:.0} s ago", length.saturating_sub(1) as f64 * props.bucket_seconds) }</span>
                <span>{ format!("from 0 to {}{}", format_value(scale), props.unit) }</span>
                <span>{ "now" }</span>
            </div>
        </figure>
    }
}

fn format_value(value: f64) -> String {
    if value >= 100.0 || value == value.trunc() { format!("{value:.0}") } else { format!("{value:.2}") }
}
