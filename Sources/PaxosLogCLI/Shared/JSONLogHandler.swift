import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to standard error, for log shippers:
/// `time` (ISO 8601, UTC, milliseconds), `level`, `node` (when the process is a node), `label`,
/// `message`, then the metadata (`event` names the documented events; see the README).
///
/// Each line is built whole and written with one write(2), so lines from several threads never
/// interleave.
struct JSONLogHandler: LogHandler {
    let label: String
    let node: UInt32?
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, node: UInt32?, level: Logger.Level) {
        self.label = label
        self.node = node
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label,
            "message": event.message.description,
        ]
        if let node { object["node"] = Int(node) }
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where object[key] == nil {
            object[key] = Self.json(value)
        }
        guard
            var line = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        line.append(0x0A)
        Output.writeError(bytes: Array(line))
    }

    private static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(json)
        case .dictionary(let values): return values.mapValues(json)
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
