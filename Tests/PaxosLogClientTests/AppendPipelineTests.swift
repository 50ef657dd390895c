import PaxosProtocol
import PaxosTransport
import Testing

@testable import PaxosLogClient

/// The append pipeline as a state machine: exact events in, exact actions out, on a clock the
/// test moves.
@Suite struct AppendPipelineTests {
    typealias Action = AppendPipeline.Action
    let start = ContinuousClock.now
    let session: UInt64 = 0xABC

    /// A pipeline over nodes 1-3, connected to node 1 (connection 1) and past the handshake.
    func connectedPipeline(timeout: Duration = .seconds(30)) throws -> AppendPipeline {
        var pipeline = AppendPipeline(
            nodes: [1, 2, 3], session: session, timeout: timeout, preferredNode: 1, now: start)
        #expect(pipeline.start() == [.connect(connection: 1, node: 1)])
        #expect(try pipeline.handle(.connected(connection: 1), now: start) == [])
        #expect(try pipeline.handle(.frame(connection: 1, helloAccepted), now: start) == [])
        return pipeline
    }

    let helloAccepted = Frame(kind: Hello.FrameKind.helloAccepted, payload: [0, 0, 0, 1])

    func entries(_ sequences: [UInt64]) -> [ClientEntry] {
        sequences.map { ClientEntry(key: ClientKey(session: session, sequence: $0), data: [UInt8($0)]) }
    }

    func request(_ sequences: [UInt64]) -> Frame {
        Frame(kind: FrameKind.appendRequest, payload: AppendRequest(entries: entries(sequences)).encoded())
    }

    func result(_ outcomes: [(UInt64, AppendStatus)]) -> Frame {
        let keyed = outcomes.map { (key: ClientKey(session: session, sequence: $0.0), status: $0.1) }
        return Frame(kind: FrameKind.appendResult, payload: AppendResult(outcomes: keyed).encoded())
    }

    @Test func entriesAreNumberedFromOneAndReportedInInputOrder() throws {
        var pipeline = try connectedPipeline()
        let input = try pipeline.handle(.input([[1], [2], [3]]), now: start)
        #expect(input == [.write(connection: 1, [request([1, 2, 3])])])
        // Entry 2's index comes first: nothing is reported until entry 1's has come too.
        let second = try pipeline.handle(.frame(connection: 1, result([(2, .committed(index: 8))])), now: start)
        #expect(second == [.released(1)])
        let first = try pipeline.handle(
            .frame(connection: 1, result([(1, .committed(index: 7)), (3, .committed(index: 9))])), now: start)
        #expect(
            first == [
                .released(2),
                .committed([.init(position: 0, index: 7), .init(position: 1, index: 8), .init(position: 2, index: 9)]),
            ])
        let finished = try pipeline.handle(.inputFinished, now: start)
        #expect(finished == [.close(connection: 1), .finished(AppendReport(committed: 3, unconfirmed: 0))])
    }

    @Test func anEntryRefusedAsOutOfOrderIsSentAgainWithEverythingFromItsMissingPredecessor() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1], [2], [3], [4]]), now: start)
        // The log took entry 1; entries 3 and 4 arrived before entry 2 (lost with a leader).
        let actions = try pipeline.handle(
            .frame(
                connection: 1,
                result([(1, .committed(index: 1)), (3, .outOfOrder(expected: 2)), (4, .outOfOrder(expected: 2))])),
            now: start)
        #expect(
            actions == [
                .released(1), .write(connection: 1, [request([2, 3, 4])]), .committed([.init(position: 0, index: 1)]),
            ])
    }

    @Test func onlyTheExpectedEntryAndTheRefusedOnesGoAgainNotTheWholeWindow() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1], [2], [3], [4], [5], [6]]), now: start)
        // Entry 5 arrived before entry 2; entries 3, 4 and 6 are still on their way.
        let actions = try pipeline.handle(
            .frame(connection: 1, result([(1, .committed(index: 1)), (5, .outOfOrder(expected: 2))])), now: start)
        #expect(
            actions == [
                .released(1), .write(connection: 1, [request([2, 5])]), .committed([.init(position: 0, index: 1)]),
            ])
    }

    @Test func aRefusalNamingAnEntryAlreadyConfirmedResendsOnlyTheRefusedOnes() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1], [2]]), now: start)
        _ = try pipeline.handle(.frame(connection: 1, result([(1, .committed(index: 1))])), now: start)
        let actions = try pipeline.handle(.frame(connection: 1, result([(2, .outOfOrder(expected: 1))])), now: start)
        #expect(actions == [.write(connection: 1, [request([2])])])
        #expect(pipeline.problem.contains("no longer remembers this stream"))
    }

    @Test func aRedirectMovesToTheNamedLeaderAndSendsEverythingUnconfirmedInOrder() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1], [2]]), now: start)
        let redirect = try pipeline.handle(.frame(connection: 1, result([(1, .notLeader(leader: 3))])), now: start)
        #expect(redirect == [.close(connection: 1), .connect(connection: 3, node: 3)])
        // A late answer on the old connection changes nothing.
        #expect(try pipeline.handle(.frame(connection: 1, result([(2, .committed(index: 5))])), now: start) == [])
        #expect(try pipeline.handle(.connected(connection: 3), now: start) == [])
        let resend = try pipeline.handle(.frame(connection: 3, helloAccepted), now: start)
        #expect(resend == [.write(connection: 3, [request([1, 2])])])
    }

    @Test func aSilentConnectionIsGivenUpForTheNextNode() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1]]), now: start)
        #expect(try pipeline.handle(.tick, now: start + .seconds(1)) == [])
        let later = start + AppendPipeline.silenceLimit + .milliseconds(1)
        #expect(try pipeline.handle(.tick, now: later) == [.close(connection: 1), .connect(connection: 3, node: 2)])
        #expect(pipeline.problem.contains("node 1 stopped answering"))
    }

    @Test func anEstablishedConnectionThatClosesIsRetriedAtOnceOnTheNextNode() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1]]), now: start)
        #expect(
            try pipeline.handle(.closed(connection: 1, reason: "reset"), now: start) == [
                .connect(connection: 3, node: 2)
            ])
        // Node 1 is not passed over: node 2 naming it the leader (it restarted and took over) is followed.
        _ = try pipeline.handle(.connected(connection: 3), now: start)
        _ = try pipeline.handle(.frame(connection: 3, helloAccepted), now: start)
        let redirect = try pipeline.handle(.frame(connection: 3, result([(1, .notLeader(leader: 1))])), now: start)
        #expect(redirect == [.close(connection: 3), .connect(connection: 5, node: 1)])
    }

    /// A connection the liveness probes gave up on is silence, not a close: the node is passed over
    /// even when a follower still names it (found by a second review).
    @Test func aConnectionGivenUpAsSilentIsNotFollowedBackTo() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1]]), now: start)
        let closed = try pipeline.handle(.closed(connection: 1, reason: "unresponsive", silent: true), now: start)
        #expect(closed == [])
        #expect(try pipeline.handle(.tick, now: start + .milliseconds(100)) == [.connect(connection: 3, node: 2)])
        _ = try pipeline.handle(.connected(connection: 3), now: start + .milliseconds(100))
        _ = try pipeline.handle(.frame(connection: 3, helloAccepted), now: start + .milliseconds(100))
        let redirect = try pipeline.handle(
            .frame(connection: 3, result([(1, .notLeader(leader: 1))])), now: start + .milliseconds(100))
        #expect(!redirect.contains(.connect(connection: 5, node: 1)), "\(redirect)")
    }

    @Test func aConnectionThatNeverOpenedIsRetriedOnTheNextNodeAfterAPause() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1]]), now: start)
        let redirect = try pipeline.handle(.frame(connection: 1, result([(1, .notLeader(leader: 3))])), now: start)
        #expect(redirect == [.close(connection: 1), .connect(connection: 3, node: 3)])
        #expect(try pipeline.handle(.closed(connection: 3, reason: "refused"), now: start) == [])
        #expect(try pipeline.handle(.tick, now: start + .milliseconds(50)) == [])
        #expect(
            try pipeline.handle(.tick, now: start + .milliseconds(100)) == [.connect(connection: 5, node: 1)])
    }

    @Test func backPressureReconnectsToTheSameNodeSoon() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1]]), now: start)
        #expect(try pipeline.handle(.frame(connection: 1, result([(1, .busy)])), now: start) == [.close(connection: 1)])
        #expect(try pipeline.handle(.tick, now: start + .milliseconds(50)) == [.connect(connection: 3, node: 1)])
    }

    @Test func theTimeoutReportsWhatIsUnconfirmedAndWhy() throws {
        var pipeline = try connectedPipeline(timeout: .seconds(1))
        _ = try pipeline.handle(.input([[1], [2]]), now: start)
        _ = try pipeline.handle(.frame(connection: 1, result([(1, .committed(index: 4))])), now: start)
        _ = try pipeline.handle(.closed(connection: 1, reason: "reset"), now: start)
        let actions = try pipeline.handle(.tick, now: start + .seconds(2))
        #expect(actions.last == .finished(AppendReport(committed: 1, unconfirmed: 1, problem: "node 1: reset")))
        // Done: a connection that opens late is closed at once, nothing else happens.
        #expect(try pipeline.handle(.connected(connection: 3), now: start + .seconds(3)) == [.close(connection: 3)])
    }

    @Test func aRefusedEntryEndsThePipelineWithTheNodesReason() throws {
        var pipeline = try connectedPipeline()
        _ = try pipeline.handle(.input([[1]]), now: start)
        #expect(throws: ClientError.self) {
            try pipeline.handle(.frame(connection: 1, result([(1, .failed("entry too large"))])), now: start)
        }
        #expect(try pipeline.handle(.tick, now: start + .seconds(60)) == [])
    }
}
