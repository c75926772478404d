import FuzzChecks

// The `svg` fuzz target: see `MapSanitizerCheck` for what it asserts.
FuzzEntry.main(MapSanitizerCheck.self)
