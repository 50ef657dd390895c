import Logging

/// The CLI's logger: to standard error, at `info` unless `--log-level` or PAXOSLOG_LOG_LEVEL says
/// otherwise, as text lines or JSON objects (`--log-format`). Libraries only take a `Logger`; only
/// the executable's commands bootstrap the logging system.
enum LoggingSetup {
    /// - Parameters:
    ///   - label: the logger's label; a node's is `paxoslog.nodeK`, which every text line shows.
    ///   - node: the node this process is, named by every JSON line.
    static func bootstrap(
        label: String, format: LogFormat = .text, level: Logger.Level? = nil, node: UInt32? = nil
    ) -> Logger {
        let requested = ProcessInfoEnvironment.value("PAXOSLOG_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:))
        let chosen = level ?? requested ?? .info
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = chosen
                return handler
            case .json:
                return JSONLogHandler(label: label, node: node, level: chosen)
            }
        }
        return Logger(label: label)
    }
}

/// Environment lookup without Foundation's ProcessInfo in the hot path.
enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
