enum PaxosJournalPlaceholder {}
