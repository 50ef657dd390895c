/// A certificate that cannot be made, read or used, with what is wrong and where.
public struct CertificateError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A client name or node id that cannot be put into a certificate (or a file name).
        case invalidName
        /// swift-certificates or swift-crypto refused to build or sign a certificate.
        case creationFailed
        /// Bytes that are not a PEM or DER certificate or key.
        case malformed
        /// A certificate without exactly one `paxoslog:` identity in its subject alternative names.
        case noIdentity
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
