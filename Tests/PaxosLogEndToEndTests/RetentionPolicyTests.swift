import Testing

@testable import PaxosNode

/// When the leader trims for the retention policy, and to where.
@Suite struct RetentionPolicyTests {
    @Test func anEntryBoundTrimsOnlyPastATenthMoreAndKeepsTheLatest() {
        let policy = RetentionPolicy(entries: 100_000)
        #expect(policy.firstIndexForEntries(first: 1, last: 110_000) == nil)
        #expect(policy.firstIndexForEntries(first: 1, last: 110_001) == 10_002)
        #expect(policy.firstIndexForEntries(first: 50_000, last: 150_000) == nil)
        let small = RetentionPolicy(entries: 10)
        #expect(small.firstIndexForEntries(first: 1, last: 1_034) == nil)
        #expect(small.firstIndexForEntries(first: 1, last: 1_035) == 1_026)
        #expect(RetentionPolicy().firstIndexForEntries(first: 1, last: .max / 2) == nil)
        #expect(!RetentionPolicy().isEnabled)
    }
}
