import FuzzChecks

// The `driver-lines` fuzz target: see `DriverLineFramerCheck` for what it asserts.
FuzzEntry.main(DriverLineFramerCheck.self)
