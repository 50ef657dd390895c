import Foundation

/// `DIR/node-K.pid`: the pid of a running node, written at start and removed at a clean exit.
enum PidFile {
    static func write(_ pid: Int32, to path: String) throws {
        do {
            try "\(pid)\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write the pid file \(path): \(error)")
        }
    }

    /// The pid in `path`, if the file exists and holds a number.
    static func read(_ path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Removes `path` if it still names `pid` (a restarted node may have replaced it).
    static func remove(_ path: String, ifOwnedBy pid: Int32) {
        if read(path) == pid {
            unlink(path)
        }
    }

    /// True when `pid` is a live `paxoslog node` process (not a zombie, not a reused pid).
    static func isLiveNode(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        {
            return false
        }
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains("node") && arguments.contains { $0.hasSuffix("paxoslog") }
    }
}
