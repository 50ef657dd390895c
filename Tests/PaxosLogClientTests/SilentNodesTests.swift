import Testing

@testable import PaxosLogClient

/// A client passes over a node it just found silent, for a while, and trusts it again once it
/// answers.
@Suite struct SilentNodesTests {
    let start = ContinuousClock.now

    @Test func aSilentNodeIsPassedOverUntilItsMemoryExpires() {
        var nodes = SilentNodes()
        nodes.failed(1, at: start)
        #expect(nodes.isSuspect(1, at: start + .seconds(1)))
        #expect(!nodes.isSuspect(2, at: start + .seconds(1)))
        #expect(nodes.next(after: 3, among: [1, 2, 3], at: start + .seconds(1)) == 2, "wraps around past node 1")
        #expect(nodes.next(after: 2, among: [3, 1, 2], at: start + .seconds(1)) == 3)
        #expect(!nodes.isSuspect(1, at: start + SilentNodes.memory))
        #expect(nodes.next(after: 3, among: [1, 2, 3], at: start + SilentNodes.memory) == 1)
    }

    @Test func aNodeThatAnswersIsTrustedAtOnce() {
        var nodes = SilentNodes()
        nodes.failed(2, at: start)
        nodes.answered(2)
        #expect(!nodes.isSuspect(2, at: start))
    }

    @Test func whenEveryNodeFailedTheNextOneIsTriedAnyway() {
        var nodes = SilentNodes()
        for id: UInt32 in [1, 2, 3] { nodes.failed(id, at: start) }
        #expect(nodes.next(after: 1, among: [1, 2, 3], at: start) == 2)
        #expect(nodes.next(after: 3, among: [1, 2, 3], at: start) == 1)
    }
}
