import FuzzChecks

// The `template` fuzz target: see `TemplateParserCheck` for what it asserts.
FuzzEntry.main(TemplateParserCheck.self)
