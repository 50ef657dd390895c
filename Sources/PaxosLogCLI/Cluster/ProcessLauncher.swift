import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a program in the background, detached from the terminal: a new session (so a Ctrl-C or
/// a closed terminal does not reach it), standard input from /dev/null, standard output and error
/// appended to a log file.
enum ProcessLauncher {
    /// glibc's POSIX_SPAWN_SETSID (spawn.h); Swift does not import it because it is GNU-only.
    private static let spawnSetSID: Int16 = 0x80

    static func spawnDetached(_ argv: [String], logFile: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours may leak into a long-lived node: an inherited pipe would keep
        // whoever reads our output (a script, a test) waiting for an end of file that never comes.
        // (glibc's addclosefrom_np is not visible to Swift; closing what /proc lists does the same.)
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, spawnSetSID)

        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        guard status == 0 else {
            throw CLIError("cannot start \(argv[0]): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// This process's open file descriptors.
    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }

    /// The absolute path of the running executable, so nodes are started with the same binary.
    static func currentExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return path
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
