/// The in-memory index of one segment: its file and where its durable frames are.
///
/// The segment being written indexes every frame. A sealed segment keeps only every
/// `sparseStride`-th frame (the first always): a frame between two samples is found by reading
/// frame headers forward from the sample before it (at most `sparseStride - 1` headers of 32
/// bytes). A log written one record per frame would otherwise hold 24 bytes of index in memory
/// per record, for its whole history.
struct SegmentIndex: Sendable {
    /// The segment file.
    var path: String
    /// The segment's never-reused id.
    var segmentID: UInt64
    /// The first sequence number the segment holds.
    var baseSequence: UInt64
    /// Durable frames in order: all of them, or every `sparseStride`-th when `isSparse`.
    private(set) var frames: [FrameLocation]
    /// The last sequence number held (base - 1 when empty).
    private(set) var lastSequence: UInt64
    /// Only samples of the frames are held (the segment is sealed).
    private(set) var isSparse = false

    static let sparseStride = 64

    init(path: String, segmentID: UInt64, baseSequence: UInt64, frames: [FrameLocation]) {
        self.path = path
        self.segmentID = segmentID
        self.baseSequence = baseSequence
        self.frames = frames
        lastSequence = frames.last?.lastSequence ?? baseSequence - 1
    }

    /// How many frame locations are held (all frames, or the samples).
    /// A sealed segment as its seal describes it: sparse from the start.
    init(path: String, seal: SegmentSeal) {
        self.path = path
        segmentID = seal.segmentID
        baseSequence = seal.baseSequence
        frames = seal.frames
        lastSequence = seal.lastSequence
        isSparse = true
    }

    var frameCount: Int { frames.count }

    /// Whether the segment holds no frame.
    var isEmpty: Bool { frames.isEmpty }

    /// Adds a frame written after the last one.
    mutating func append(_ frame: FrameLocation) {
        precondition(!isSparse, "a sealed segment gets no new frames")
        frames.append(frame)
        lastSequence = frame.lastSequence
    }

    /// Keeps only every `sparseStride`-th frame: the segment will not grow again.
    mutating func makeSparse() {
        guard !isSparse else { return }
        isSparse = true
        guard frames.count > 1 else { return }
        frames = stride(from: 0, to: frames.count, by: Self.sparseStride).map { frames[$0] }
    }

    /// The frame holding `sequence` (`exact`), or in a sparse segment the sampled frame at or
    /// before it, from which to read headers forward.
    func frame(containing sequence: UInt64) -> (frame: FrameLocation, exact: Bool)? {
        guard sequence >= baseSequence, sequence <= lastSequence else { return nil }
        var low = 0
        var high = frames.count
        while low < high {
            let middle = (low + high) / 2
            if frames[middle].firstSequence <= sequence { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let candidate = frames[low - 1]
        if candidate.lastSequence >= sequence { return (candidate, true) }
        return isSparse ? (candidate, false) : nil
    }
}
