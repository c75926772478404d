import FuzzChecks

// The `json` fuzz target: see `JSONRoundTripCheck` for what it asserts.
FuzzEntry.main(JSONRoundTripCheck.self)
