import FuzzChecks

// The `form` fuzz target: see `URLEncodedFormCheck` for what it asserts.
FuzzEntry.main(URLEncodedFormCheck.self)
