import FuzzChecks

// The `jwt` fuzz target: see `JWTDecoderCheck` for what it asserts.
FuzzEntry.main(JWTDecoderCheck.self)
