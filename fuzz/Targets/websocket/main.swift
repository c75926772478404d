import FuzzChecks

// The `websocket` fuzz target: see `WebSocketParserCheck` for what it asserts.
FuzzEntry.main(WebSocketParserCheck.self)
