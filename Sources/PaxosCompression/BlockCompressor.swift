import CLZ4
import CZlib

/// One-shot block compression and decompression through liblz4 and zlib.
///
/// The decompressed size is always known to the caller (the journal stores it in the frame header),
/// so decompression is given the exact output size and refuses anything that does not produce
/// exactly that many bytes: a damaged block is an error, never a short or padded result.
public enum BlockCompressor {
    /// zlib level 6 is zlib's own default: most of the ratio at a fraction of level 9's cost.
    public static let zlibLevel: Int32 = 6

    /// Compresses `input` with `codec`. Returns nil when the result would not be smaller than the
    /// input, so the caller stores the block raw instead.
    public static func compress(_ input: [UInt8], codec: Codec) throws(CompressionError) -> [UInt8]? {
        switch codec {
        case .none:
            return nil
        case .lz4:
            return try compressLZ4(input)
        case .zlib:
            return try compressZlib(input)
        }
    }

    /// Decompresses `input`, which must expand to exactly `decompressedCount` bytes.
    public static func decompress(
        _ input: some Collection<UInt8>, codec: Codec, decompressedCount: Int
    ) throws(CompressionError) -> [UInt8] {
        let bytes = Array(input)
        switch codec {
        case .none:
            guard bytes.count == decompressedCount else {
                throw CompressionError(
                    codec: codec, message: "raw block is \(bytes.count) bytes, expected \(decompressedCount)")
            }
            return bytes
        case .lz4:
            return try decompressLZ4(bytes, decompressedCount: decompressedCount)
        case .zlib:
            return try decompressZlib(bytes, decompressedCount: decompressedCount)
        }
    }

    private static func compressLZ4(_ input: [UInt8]) throws(CompressionError) -> [UInt8]? {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw CompressionError(codec: .lz4, message: "block of \(input.count) bytes exceeds LZ4's maximum")
        }
        if input.isEmpty { return nil }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.withMemoryRebound(to: CChar.self) { src in
                    destination.withMemoryRebound(to: CChar.self) { dst in
                        LZ4_compress_default(src.baseAddress, dst.baseAddress, Int32(src.count), Int32(dst.count))
                    }
                }
            }
        }
        guard written > 0 else { throw CompressionError(codec: .lz4, message: "LZ4_compress_default failed") }
        guard Int(written) < input.count else { return nil }
        output.removeSubrange(Int(written)...)
        return output
    }

    private static func decompressLZ4(_ input: [UInt8], decompressedCount: Int) throws(CompressionError) -> [UInt8] {
        guard decompressedCount > 0, decompressedCount <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw CompressionError(codec: .lz4, message: "implausible decompressed size \(decompressedCount)")
        }
        var output = [UInt8](repeating: 0, count: decompressedCount)
        let produced = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.withMemoryRebound(to: CChar.self) { src in
                    destination.withMemoryRebound(to: CChar.self) { dst in
                        LZ4_decompress_safe(src.baseAddress, dst.baseAddress, Int32(src.count), Int32(dst.count))
                    }
                }
            }
        }
        guard produced == decompressedCount else {
            throw CompressionError(
                codec: .lz4,
                message: produced < 0
                    ? "damaged LZ4 block" : "LZ4 block expands to \(produced) bytes, expected \(decompressedCount)")
        }
        return output
    }

    private static func compressZlib(_ input: [UInt8]) throws(CompressionError) -> [UInt8]? {
        if input.isEmpty { return nil }
        var outputCount = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(outputCount))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                compress2(destination.baseAddress, &outputCount, source.baseAddress, uLong(source.count), zlibLevel)
            }
        }
        guard status == Z_OK else {
            throw CompressionError(codec: .zlib, message: "compress2 failed with status \(status)")
        }
        guard Int(outputCount) < input.count else { return nil }
        output.removeSubrange(Int(outputCount)...)
        return output
    }

    private static func decompressZlib(_ input: [UInt8], decompressedCount: Int) throws(CompressionError) -> [UInt8] {
        guard decompressedCount > 0 else {
            throw CompressionError(codec: .zlib, message: "implausible decompressed size \(decompressedCount)")
        }
        var outputCount = uLongf(decompressedCount)
        var output = [UInt8](repeating: 0, count: decompressedCount)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                uncompress(destination.baseAddress, &outputCount, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(outputCount) == decompressedCount else {
            throw CompressionError(
                codec: .zlib,
                message: status == Z_OK
                    ? "zlib block expands to \(outputCount) bytes, expected \(decompressedCount)"
                    : "damaged zlib block (status \(status))")
        }
        return output
    }
}
