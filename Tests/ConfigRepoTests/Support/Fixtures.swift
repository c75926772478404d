// The sample building, sample repositories and temporary directories come from the shared
// TestSupport target, visible in every file of this test target.
@_exported import TestSupport
