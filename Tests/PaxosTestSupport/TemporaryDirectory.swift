import Foundation

/// Runs `body` with a fresh, empty directory that is removed afterwards, whatever `body` does.
///
/// The path is short (under /tmp) because Unix socket paths inside it must stay under 104 bytes.
public func withTemporaryDirectory<T>(
    _ body: (String) async throws -> T
) async throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Synchronous form of ``withTemporaryDirectory(_:)``.
public func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Creates a new directory `/tmp/pxl-XXXXXX` and returns its path.
public func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/pxl-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
        guard let base = buffer.baseAddress else { return false }
        return mkdtemp(base) != nil
    }
    guard created else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mkdtemp failed: errno \(errno)"])
    }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
