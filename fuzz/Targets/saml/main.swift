import FuzzChecks

// The `saml` fuzz target: see `SAMLResponseCheck` for what it asserts.
FuzzEntry.main(SAMLResponseCheck.self)
