import Foundation

/// A benchmark's results as a picture: panels that share one x axis (writers or clients, one
/// position per measured step), each with its series and the same run's baseline as a dashed
/// line, so a reader sees at a glance how far above the disk's own rate the journal or cluster
/// goes and what it costs in latency. Rendered by ``SVGDocument``; no image library.
struct BenchPlot {
    /// One measured curve: a value per step.
    struct Series {
        var name: String
        var color: String
        /// One y per x position; nil where the step did not measure it.
        var values: [Double?]
    }

    /// A horizontal reference line: what the disk alone did in the same run.
    struct Baseline {
        var name: String
        var value: Double
    }

    /// One chart: a y axis, its series, its baselines.
    struct Panel {
        var title: String
        var unit: String
        var series: [Series]
        var baselines: [Baseline]
    }

    var title: String
    var subtitle: String
    var xLabel: String
    /// The x positions' labels (writer or client counts), one per step.
    var steps: [String]
    var panels: [Panel]

    static let panelWidth = 440.0
    static let panelHeight = 300.0
    static let margin = (left: 70.0, right: 20.0, top: 84.0, bottom: 60.0)

    /// The plot as an SVG document: the panels side by side.
    func svg() -> String {
        let width = Self.margin.left + Double(panels.count) * (Self.panelWidth + Self.margin.left) + Self.margin.right
        let height = Self.margin.top + Self.panelHeight + Self.margin.bottom + 40
        var document = SVGDocument(width: Int(width), height: Int(height))
        document.text(title, at: (Self.margin.left, 28), size: 17, bold: true)
        document.text(subtitle, at: (Self.margin.left, 48), size: 12, fill: "#555")
        for (index, panel) in panels.enumerated() {
            let left = Self.margin.left + Double(index) * (Self.panelWidth + Self.margin.left)
            draw(panel, left: left, top: Self.margin.top, into: &document)
        }
        return document.rendered()
    }

    private func draw(_ panel: Panel, left: Double, top: Double, into document: inout SVGDocument) {
        let (width, height) = (Self.panelWidth, Self.panelHeight)
        let bottom = top + height
        let values = panel.series.flatMap { $0.values.compactMap { $0 } } + panel.baselines.map(\.value)
        let ceiling = Self.niceCeiling(values.max() ?? 1)
        func x(_ step: Int) -> Double {
            steps.count == 1 ? left + width / 2 : left + 20 + Double(step) * (width - 40) / Double(steps.count - 1)
        }
        func y(_ value: Double) -> Double { bottom - value / ceiling * height }

        document.text(panel.title, at: (left, top - 8), size: 13, bold: true)
        // Axes, horizontal grid lines with their values, and the steps along x.
        document.line(from: (left, top), to: (left, bottom), stroke: "#333")
        document.line(from: (left, bottom), to: (left + width, bottom), stroke: "#333")
        let ticks = Self.tickCount(ceiling)
        for tick in 0...ticks {
            let value = ceiling * Double(tick) / Double(ticks)
            document.line(from: (left, y(value)), to: (left + width, y(value)), stroke: "#e4e4e4")
            document.text(Self.format(value), at: (left - 6, y(value) + 4), size: 11, anchor: "end")
        }
        for (index, step) in steps.enumerated() {
            document.text(step, at: (x(index), bottom + 16), size: 11, anchor: "middle")
        }
        document.text(xLabel, at: (left + width / 2, bottom + 34), size: 12, anchor: "middle")
        document.text(panel.unit, at: (left, bottom + 34), size: 11, fill: "#555")

        var legend = 0
        for baseline in panel.baselines {
            document.line(
                from: (left, y(baseline.value)), to: (left + width, y(baseline.value)), stroke: "#888", dashed: true)
            legendEntry(
                "\(baseline.name): \(Self.format(baseline.value))", color: "#888", index: legend, left: left,
                bottom: bottom, into: &document)
            legend += 1
        }
        for series in panel.series {
            let points = series.values.enumerated().compactMap { index, value in value.map { (x(index), y($0)) } }
            if points.count > 1 { document.polyline(points.map { (x: $0.0, y: $0.1) }, stroke: series.color) }
            for (index, value) in series.values.enumerated() {
                guard let value else { continue }
                document.circle(
                    at: (x(index), y(value)), radius: 4, fill: series.color, className: "point",
                    data: [("panel", panel.title), ("series", series.name), ("x", steps[index]), ("y", "\(value)")],
                    title: "\(series.name) at \(steps[index]): \(Self.format(value)) \(panel.unit)")
            }
            legendEntry(series.name, color: series.color, index: legend, left: left, bottom: bottom, into: &document)
            legend += 1
        }
    }

    private func legendEntry(
        _ text: String, color: String, index: Int, left: Double, bottom: Double, into document: inout SVGDocument
    ) {
        let y = bottom + 52 + Double(index / 2) * 16
        let x = left + Double(index % 2) * (Self.panelWidth / 2)
        document.line(from: (x, y - 4), to: (x + 18, y - 4), stroke: color, width: 3)
        document.text(text, at: (x + 24, y), size: 11)
    }

    /// A round number at or above `value` (1, 2 or 5 times a power of ten), so ticks read well.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 5, 10] where factor * power >= value { return factor * power }
        return 10 * power
    }

    /// How many intervals divide 0...ceiling into round steps: 1, 2 and 5 times a power of ten
    /// split into 5, 4 and 5 (steps of 0.2, 0.5 and 1 times that power).
    static func tickCount(_ ceiling: Double) -> Int {
        guard ceiling > 0, ceiling.isFinite else { return 4 }
        let leading = (ceiling / pow(10, floor(log10(ceiling)))).rounded()
        return leading == 2 ? 4 : 5
    }

    /// A value for a label: thousands as k, small values with decimals.
    static func format(_ value: Double) -> String {
        switch value {
        case 1_000_000...: trimmed(String(format: "%.1f", value / 1_000_000)) + "M"
        case 10_000...: trimmed(String(format: "%.1f", value / 1000)) + "k"
        case 100...: String(format: "%.0f", value)
        case 1...: trimmed(String(format: "%.1f", value))
        case 0: "0"
        default: String(format: "%.2f", value)
        }
    }

    /// "12.0" as "12"; "12.5" stays.
    private static func trimmed(_ text: String) -> String {
        text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
