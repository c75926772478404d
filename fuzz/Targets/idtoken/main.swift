import FuzzChecks

// The `idtoken` fuzz target: see `IDTokenCheck` for what it asserts.
FuzzEntry.main(IDTokenCheck.self)
