import ArgumentParser
import PaxosCompression

/// `--codec lz4|zlib|none`, parsed once here: an unknown name is a usage error naming the choices,
/// and `--help` lists them. A type of the command line's own, so that the codec's module does not
/// depend on the argument parser.
enum CodecArgument: String, CaseIterable, ExpressibleByArgument {
    case lz4, zlib, none

    var codec: Codec {
        switch self {
        case .lz4: .lz4
        case .zlib: .zlib
        case .none: .none
        }
    }
}
