import Logging

/// The CLI's logger: to standard error, at `info` unless PAXOSLOG_LOG_LEVEL says otherwise.
/// Libraries only take a `Logger`; only the executable's commands bootstrap the logging system.
enum LoggingSetup {
    static func bootstrap(label: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let requested = ProcessInfoEnvironment.value("PAXOSLOG_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = requested ?? .info
            return handler
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
