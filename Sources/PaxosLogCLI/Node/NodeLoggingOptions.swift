import ArgumentParser
import Logging

/// How a node writes its log: options of `node`, which `cluster start` passes on to its nodes.
struct NodeLoggingOptions: ParsableArguments {
    @Option(
        name: .customLong("log-format"),
        help: "text (one readable line per event) or json (one JSON object per line, for log shippers).")
    var format: LogFormat = .text

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info (default), notice, warning, error or critical; overrides PAXOSLOG_LOG_LEVEL.")
    var level: LogLevel?

    /// The same options on a `node` command line (only what was given: a node's default is the same).
    var nodeArguments: [String] {
        var arguments: [String] = []
        if format != .text { arguments += ["--log-format", format.rawValue] }
        if let level { arguments += ["--log-level", level.rawValue] }
        return arguments
    }
}

/// The shape of a node's log lines.
enum LogFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    case text, json
}

/// swift-log's levels as an argument.
enum LogLevel: String, CaseIterable, ExpressibleByArgument, Sendable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}
