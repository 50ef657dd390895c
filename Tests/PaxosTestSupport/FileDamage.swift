import Foundation

/// Damage done to a file on purpose, as a disk would: the bits of `mask` flipped in the byte at
/// `offset` (the file keeps its size). Throws when the file cannot be opened or is shorter.
public func flipBits(in path: String, at offset: UInt64, mask: UInt8 = 0x01) throws {
    guard let handle = FileHandle(forUpdatingAtPath: path) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    guard let byte = try handle.read(upToCount: 1)?.first else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path])
    }
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data([byte ^ mask]))
}
