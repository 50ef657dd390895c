import Foundation
import PaxosTestSupport
import PaxosTransport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The secret file: written 0600, read back, and refused like an ssh private key when it is not
/// private, or not exactly 32 bytes.
@Suite struct ClusterSecretTests {
    @Test func aWrittenSecretIsPrivateAndReadsBack() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/cluster.secret"
            let secret = ClusterSecret.random()
            try secret.write(to: path)
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o600)
            #expect(status.st_size == 32)
            #expect(try ClusterSecret.load(from: path) == secret)
            #expect(secret != ClusterSecret.random())
            #expect("\(secret)" == "cluster secret (32 bytes, not shown)")
            #expect(String(reflecting: secret) == "cluster secret (32 bytes, not shown)")
        }
    }

    @Test func unusableSecretFilesAreRefusedWithTheReason() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/cluster.secret"
            func expectRefusal(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
                do {
                    _ = try ClusterSecret.load(from: path)
                    Issue.record("loaded: \(expected)", sourceLocation: sourceLocation)
                } catch {
                    #expect(error.code == .invalidSecret, sourceLocation: sourceLocation)
                    #expect(error.message.contains(expected), "\(error.message)", sourceLocation: sourceLocation)
                }
            }
            expectRefusal("secret file \(path) does not exist")
            try ClusterSecret.random().write(to: path)
            for mode: mode_t in [0o644, 0o640, 0o604, 0o620] {
                chmod(path, mode)
                expectRefusal("is accessible by group or others (mode 0\(String(mode, radix: 8))); ")
            }
            chmod(path, 0o400)
            #expect(throws: Never.self) { try ClusterSecret.load(from: path) }
            for size in [0, 31, 33, 65] {
                unlink(path)
                _ = FileManager.default.createFile(
                    atPath: path, contents: Data(repeating: 0x41, count: size), attributes: [.posixPermissions: 0o600])
                expectRefusal("holds \(size) bytes; a cluster secret is exactly 32 raw bytes")
            }
            unlink(path)
            mkdir(path, 0o700)
            expectRefusal("is not a regular file")
            #expect(throws: TransportError.self) { try ClusterSecret(bytes: [1, 2, 3]) }
        }
    }
}
