/// A small SVG writer: shapes and text appended in order, rendered as one well-formed document.
///
/// Enough for the benchmark plots (lines, circles, text); every attribute value and text is
/// escaped, so a series name cannot break the XML.
struct SVGDocument {
    let width: Int
    let height: Int
    private var elements: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// A straight line; `dashed` for baselines.
    mutating func line(
        from start: (x: Double, y: Double), to end: (x: Double, y: Double), stroke: String, width: Double = 1,
        dashed: Bool = false
    ) {
        var attributes = [
            ("x1", Self.number(start.x)), ("y1", Self.number(start.y)), ("x2", Self.number(end.x)),
            ("y2", Self.number(end.y)), ("stroke", stroke), ("stroke-width", Self.number(width)),
        ]
        if dashed { attributes.append(("stroke-dasharray", "6 4")) }
        elements.append(Self.element("line", attributes))
    }

    /// A line through `points`, in order.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        elements.append(
            Self.element(
                "polyline",
                [("points", list), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.number(width))]))
    }

    /// A dot, with `data` attributes (`data-NAME`) that say what it shows, for readers and tests.
    mutating func circle(
        at center: (x: Double, y: Double), radius: Double, fill: String, className: String,
        data: [(String, String)], title: String
    ) {
        let attributes =
            [
                ("class", className), ("cx", Self.number(center.x)), ("cy", Self.number(center.y)),
                ("r", Self.number(radius)), ("fill", fill),
            ] + data.map { ("data-" + $0.0, $0.1) }
        elements.append(
            "<circle \(Self.attributes(attributes))><title>\(Self.escape(title))</title></circle>")
    }

    /// Text anchored at `position` (`start`, `middle` or `end`).
    mutating func text(
        _ text: String, at position: (x: Double, y: Double), size: Double = 12, anchor: String = "start",
        fill: String = "#222", bold: Bool = false
    ) {
        var attributes = [
            ("x", Self.number(position.x)), ("y", Self.number(position.y)), ("font-size", Self.number(size)),
            ("text-anchor", anchor), ("fill", fill),
        ]
        if bold { attributes.append(("font-weight", "bold")) }
        elements.append("<text \(Self.attributes(attributes))>\(Self.escape(text))</text>")
    }

    /// The whole document.
    func rendered() -> String {
        let header =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"white\"/>\n"
        return header + elements.map { $0 + "\n" }.joined() + "</svg>\n"
    }

    private static func element(_ name: String, _ attributes: [(String, String)]) -> String {
        "<\(name) \(Self.attributes(attributes))/>"
    }

    private static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: " ")
    }

    /// XML's five special characters as entities.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A coordinate with at most two decimals.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
