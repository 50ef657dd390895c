import PaxosCore
import PaxosProtocol

/// What a node's journal holds durably about its votes, folded from its records as the simulated
/// disk makes them durable: what the node may tell a peer it promised or accepted.
struct DurableVotes {
    /// The highest ballot promised (an accept under a ballot promises it too).
    private(set) var promised: Ballot?
    /// The ballot each slot was last accepted under.
    private(set) var accepted: [Slot: Ballot] = [:]
    /// Slots through here are known chosen: an acceptor answers a re-sent accept for them without
    /// writing again.
    private(set) var decidedThrough: Slot = 0
    /// How many of the journal's durable records are folded in.
    private(set) var folded = 0

    /// Folds in the records from `folded` on.
    mutating func fold(_ records: [[UInt8]]) throws {
        while folded < records.count {
            let record = try PersistRecord(decoding: records[folded])
            folded += 1
            switch record {
            case .promise(let ballot):
                raise(ballot)
            case .accepted(let ballot, let firstSlot, let values):
                raise(ballot)
                for offset in values.indices { accepted[firstSlot + Slot(offset)] = ballot }
            case .committed(let commitIndex, _):
                decidedThrough = max(decidedThrough, commitIndex)
            case .chosen(let firstSlot, let values) where firstSlot <= decidedThrough + 1:
                decidedThrough = max(decidedThrough, firstSlot + Slot(values.count) - 1)
            case .base(let base):
                decidedThrough = max(decidedThrough, base.slot)
            case .recoveryCompleted(let ballot):
                raise(ballot)
            case .chosen, .recoveryStarted, .started:
                break
            }
        }
    }

    private mutating func raise(_ ballot: Ballot) {
        if promised.map({ $0 < ballot }) ?? true { promised = ballot }
    }

    /// Why `message`, sent now, reports a vote the disk does not hold yet; nil when it holds it.
    /// `stored` is the last slot in the node's log store (chosen, and on disk too).
    func unbacked(_ message: ReplicaMessage, stored: Slot) -> String? {
        switch message {
        case .promise(let ballot, _):
            guard let promised, promised >= ballot else {
                return "a promise for \(ballot) with only \(promised.map { "\($0)" } ?? "nothing") promised on disk"
            }
        case .accepted(let ballot, let firstSlot, let count):
            for slot in firstSlot..<(firstSlot + Slot(count)) where slot > max(decidedThrough, stored) {
                guard accepted[slot] == ballot else {
                    return "accepted slot \(slot) under \(ballot), but the disk holds "
                        + "\(accepted[slot].map { "\($0)" } ?? "no vote") for it"
                }
            }
        default:
            break
        }
        return nil
    }
}
