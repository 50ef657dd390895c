enum PaxosCorePlaceholder {}
