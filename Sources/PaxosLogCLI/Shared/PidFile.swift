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

    /// The pid of the running node whose pid file is `pidPath`: the file's, or else `started`
    /// (the pid `cluster start` recorded in cluster.json), which covers a node that was just
    /// started and has not written its pid file yet. Nil when neither is a live node.
    static func liveNode(pidPath: String, started: Int32?) -> Int32? {
        if let pid = read(pidPath), isLiveNode(pid, pidPath: pidPath) { return pid }
        if let started, isLiveNode(started, pidPath: pidPath) { return started }
        return nil
    }

    /// True when `pid` is a live node process started with `--pid-file pidPath`: not a zombie, and
    /// not another program that reused the pid. The node is recognised by its pid file, not by the
    /// binary's name, so a cluster started from a copied or renamed binary is still stopped.
    /// A process whose command line cannot be read (another user's) or is empty (exiting) counts
    /// as live.
    static func isLiveNode(_ pid: Int32, pidPath: String) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        {
            return false
        }
        // Unreadable (another user's), or empty: a process in the middle of exiting has released
        // its memory, command line included, but is not gone yet. Either way, still there.
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !cmdline.isEmpty else {
            return true
        }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard arguments.contains("node") else { return false }
        let wanted = canonical(pidPath)
        for (index, argument) in arguments.enumerated() {
            if argument == "--pid-file", index + 1 < arguments.count, canonical(arguments[index + 1]) == wanted {
                return true
            }
            if argument.hasPrefix("--pid-file="), canonical(String(argument.dropFirst(11))) == wanted {
                return true
            }
        }
        return false
    }

    /// `path` with symbolic links and `.`/`..` resolved when it exists, as given otherwise.
    private static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
