import NIOCore

#if canImport(Glibc)
    import CMalloc
#endif

/// Hands memory the node freed back to the operating system.
///
/// Bursts of appends allocate and free many small buffers (entries, batches, frames). glibc's
/// malloc keeps freed memory in its arenas for reuse and returns only the top of each heap, so
/// after a burst the node's resident size stays at the burst's peak although little is in use.
/// `malloc_trim` releases the free pages of every arena; called every few seconds it keeps the
/// resident size close to what is really held (measured: 82 MiB resident with 32 MiB in use
/// after 3M entries before, see the README's memory figures).
public enum MemoryRelease {
    /// How often the node releases freed memory.
    static let interval = TimeAmount.seconds(5)

    /// Limits glibc's malloc to one arena. Call before the process starts any thread: `paxoslog
    /// node` does it first thing; `NodeServer.start` does it again for a node run in a process
    /// of another's (threads that already have an arena keep it).
    ///
    /// glibc gives threads that allocate at the same moment arenas of their own (up to eight per
    /// core), and each fragments on its own: the node's threads (event loop, two journal writers,
    /// the checkpoint queue) left its resident size 10 MiB higher after 10M entries than after 1M
    /// with nothing more held (measured: anonymous memory 20-30 MiB at 1M, 32-38 MiB at 10M). With
    /// one arena it stays flat (18-22 MiB at both); the threads allocate little at the same time,
    /// so they hardly wait for the arena's lock (see the README's benchmark figures).
    public static func useOneArena() {
        #if canImport(Glibc)
            _ = mallopt(M_ARENA_MAX, 1)
        #endif
    }

    static func releaseFreedMemory() {
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
