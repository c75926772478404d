import FuzzChecks

// The `validation` fuzz target: see `ValidationGateCheck` for what it asserts.
FuzzEntry.main(ValidationGateCheck.self)
