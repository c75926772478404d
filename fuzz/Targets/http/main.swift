import FuzzChecks

// The `http` fuzz target: see `HTTPRequestParserCheck` for what it asserts.
FuzzEntry.main(HTTPRequestParserCheck.self)
