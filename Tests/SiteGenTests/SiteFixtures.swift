@_exported import TestSupport
@testable import SiteGen

/// The real templates, for page and dependency tests (the sample building is `SampleConfig`).
enum SiteFixtures {
    static let library: TemplateLibrary = try! TemplateLibrary(directory: Checkout.siteTemplates)
}
