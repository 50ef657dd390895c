#if canImport(Glibc)
    import Glibc
#endif

/// The raw-disk baselines: how fast this disk acknowledges durable writes with no journal at all.
///
/// The file is preallocated with posix_fallocate to the journal's segment size, as the journal
/// does with its segments, and written sequentially from offset 0. At its end it is emptied and
/// preallocated again (the journal starts a new segment there) instead of being overwritten:
/// overwriting blocks already written is much cheaper on ext4 than the first write into
/// preallocated (unwritten) extents, and the journal always pays for the latter.
enum BenchDiskBaseline {
    /// Writes `writeSize`-byte blocks with pwrite, each followed by fdatasync, for `seconds`.
    static func run(
        path: String, kind: String, writeSize: Int, fileSize: Int, seconds: Double
    ) throws(CLIError) -> BenchBaselineResult {
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(path)
        }
        let size = max(fileSize, writeSize)
        try preallocate(fd, size: size, path: path)
        var generator = InspectFixtureText(seed: 7)
        let block = generator.noise(writeSize)
        var latency = BenchLatency()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        var offset = 0
        var writes = 0
        while clock.now < deadline {
            let began = clock.now
            if offset + writeSize > size {
                try preallocate(fd, size: size, path: path)
                offset = 0
            }
            try writeFully(fd, block, at: offset, path: path)
            guard fdatasync(fd) == 0 else {
                throw CLIError("fdatasync of \(path) failed: \(String(cString: strerror(errno)))")
            }
            latency.record(clock.now - began)
            offset += writeSize
            writes += 1
        }
        let elapsed = (clock.now - start) / .seconds(1)
        return BenchBaselineResult(
            kind: kind, writeSize: writeSize, writes: writes, seconds: elapsed,
            fsyncsPerSecond: Double(writes) / elapsed,
            megabytesPerSecond: Double(writes) * Double(writeSize) / elapsed / 1e6,
            p50Microseconds: latency.microseconds(atPercentile: 50),
            p99Microseconds: latency.microseconds(atPercentile: 99))
    }

    /// Empties the file and reserves `size` fresh bytes, as the journal does for each new segment.
    private static func preallocate(_ fd: Int32, size: Int, path: String) throws(CLIError) {
        guard ftruncate(fd, 0) == 0 else {
            throw CLIError("ftruncate of \(path) failed: \(String(cString: strerror(errno)))")
        }
        let status = posix_fallocate(fd, 0, off_t(size))
        guard status == 0 else {
            throw CLIError("cannot preallocate \(size) bytes for \(path): \(String(cString: strerror(status)))")
        }
        guard fsync(fd) == 0 else { throw CLIError("fsync of \(path) failed: \(String(cString: strerror(errno)))") }
    }

    private static func writeFully(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(CLIError) {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset + done))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError("pwrite to \(path) failed: \(String(cString: strerror(errno)))")
            }
            done += written
        }
    }
}
